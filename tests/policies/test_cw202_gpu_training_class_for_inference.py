import pytest

from costwarden.policies.cw202_gpu_training_class_for_inference import gpu_training_class_for_inference as cw202
from tests.policies.helpers import deployment, run

A100 = "node.kubernetes.io/instance-type: p4d.24xlarge"


def test_fails_on_an_a100_serving_an_8b_model_with_a_priced_remedy():
    result = run(cw202, ("d.yaml", deployment(A100, "meta-llama/Llama-3.1-8B-Instruct")))
    (violation,) = result.violations
    assert violation.message.startswith("A100-40 GPUs serve a meta-llama/Llama-3.1-8B-Instruct model of 18 GiB")
    assert violation.remedy.changes["instance_type"] == "g6.xlarge"
    assert violation.cost.monthly_savings > 0
    assert violation.cost.monthly_cost == pytest.approx(21.957642 / 8 * 730)  # 1 of 8 A100s per replica
    assert "After move to g6.xlarge (1 x L4, 22 GiB for a 18 GiB model)" in violation.cost.basis


def test_passes_on_an_l4():
    assert (
        run(
            cw202,
            ("d.yaml", deployment("node.kubernetes.io/instance-type: g6.xlarge", "meta-llama/Llama-3.1-8B-Instruct")),
        ).violations
        == ()
    )


def test_passes_when_no_inference_gpu_holds_the_model():
    result = run(cw202, ("d.yaml", deployment(A100, "meta-llama/Llama-3.1-405B-Instruct", gpus=8)))
    assert result.violations == ()


def test_unknown_model_memory_is_inconclusive():
    result = run(cw202, ("d.yaml", deployment(A100, "my-org/private-model")))
    assert result.violations == ()
    assert any("model's memory is unknown" in w.message for w in result.warnings)


def test_sagemaker_endpoint_tagged_with_model_memory():
    config = {
        "EndpointConfigName": "e",
        "ProductionVariants": [{"InstanceType": "ml.p4d.24xlarge", "InitialInstanceCount": 1}],
    }
    assert run(cw202, ("e.json", config)).violations == ()  # memory unknown: no guess
    tagged = {**config, "Tags": [{"Key": "costwarden:model-memory-gib", "Value": "30"}]}
    (violation,) = run(cw202, ("e.json", tagged)).violations
    assert violation.remedy.changes["instance_type"].startswith("ml.")
    assert violation.cost.monthly_savings > 0
    assert "SageMaker hosting" in violation.cost.basis
