import dataclasses
import textwrap

import pytest

from costwarden import Config, Document
from costwarden.config import ActiveHours, InferenceConfig
from costwarden.policies.cw401_inference_always_on import inference_always_on as cw401
from costwarden.policies.cw402_inference_without_autoscaling import inference_without_autoscaling as cw402
from tests.plans import change, plan
from tests.policies.helpers import deployment, hpa, run

G5 = "node.kubernetes.io/instance-type: g5.xlarge"
MODEL = "meta-llama/Llama-3.2-1B-Instruct"
G5_HOURLY = 1.006
ACTIVE = 12 * 5 * 730 / 168


def test_cw401_fails_outside_production_and_prices_scale_to_zero():
    result = run(cw401, ("d.yaml", deployment(G5, MODEL, labels="{environment: dev}")), ("h.yaml", hpa(2)))
    (violation,) = result.violations
    assert "keeps at least 2 replicas running outside production; allowed: 0" in violation.message
    assert violation.remedy.changes == {"min_replicas": 0, "active_hours_per_month": round(ACTIVE, 1)}
    assert violation.cost.monthly_cost == pytest.approx(2 * G5_HOURLY * 730)
    assert violation.cost.monthly_cost_after == pytest.approx(2 * G5_HOURLY * round(ACTIVE, 1))


@pytest.mark.parametrize(
    ("labels", "minimum", "fires"),
    [
        ("{environment: prod}", 1, False),  # production's floor
        ("{environment: prod}", 3, True),
        ("{finops:environment: production}", 2, True),
        ("{environment: dev}", 0, False),
        ("{}", 1, True),  # untagged: held to zero
    ],
)
def test_cw401_floor_by_environment(labels, minimum, fires):
    result = run(cw401, ("d.yaml", deployment(G5, MODEL, labels=labels)), ("h.yaml", hpa(minimum)))
    assert bool(result.violations) is fires


def test_cw401_production_floor_and_schedule_from_config():
    config = Config(
        inference=InferenceConfig(
            production_min_replicas=2, active_hours=ActiveHours(hours_per_day=24, days_per_week=7)
        )
    )
    assert (
        run(
            cw401, ("d.yaml", deployment(G5, MODEL, labels="{environment: prod}")), ("h.yaml", hpa(2)), config=config
        ).violations
        == ()
    )
    (violation,) = run(
        cw401, ("d.yaml", deployment(G5, MODEL, labels="{environment: dev}")), ("h.yaml", hpa(2)), config=config
    ).violations
    assert violation.cost.monthly_savings == pytest.approx(0)  # used around the clock: nothing to save


def test_cw401_kserve_min_replicas_and_gpu_node_groups():
    isvc = f"""
    apiVersion: serving.kserve.io/v1beta1
    kind: InferenceService
    metadata: {{name: s, labels: {{environment: staging}}}}
    spec:
      predictor:
        minReplicas: 1
        nodeSelector: {{{G5}}}
        containers: [{{name: c, image: kserve/huggingfaceserver, resources: {{limits: {{nvidia.com/gpu: 1}}}}}}]
    """
    assert len(run(cw401, ("i.yaml", isvc)).violations) == 1
    group = change(
        "aws_eks_node_group.gpu",
        {
            "instance_types": ["g5.xlarge"],
            "scaling_config": [{"desired_size": 2, "min_size": 2, "max_size": 4}],
            "tags_all": {"environment": "dev"},
        },
    )
    assert len(run(cw401, ("p.json", plan(group))).violations) == 1
    cpu = change(
        "aws_eks_node_group.cpu",
        {
            "instance_types": ["m5.large"],
            "scaling_config": [{"desired_size": 2, "min_size": 2, "max_size": 4}],
            "tags_all": {},
        },
    )
    assert run(cw401, ("p.json", plan(cpu))).violations == ()


def test_cw402_fails_without_autoscaler_and_passes_with_one():
    (violation,) = run(cw402, ("d.yaml", deployment(G5, MODEL, replicas=3))).violations
    assert violation.message == "GPU inference runs 3 replicas with no autoscaler"
    assert violation.cost.monthly_cost == pytest.approx(3 * G5_HOURLY * 730)
    assert violation.cost.monthly_savings > 0
    assert run(cw402, ("d.yaml", deployment(G5, MODEL, replicas=3)), ("h.yaml", hpa(1))).violations == ()


def test_cw402_sagemaker_endpoint_config_and_its_autoscaling_target():
    endpoint_config = change(
        "aws_sagemaker_endpoint_configuration.llm",
        {"production_variants": [{"instance_type": "ml.g5.2xlarge", "initial_instance_count": 2}], "tags_all": {}},
    )
    (violation,) = run(cw402, ("p.json", plan(endpoint_config))).violations
    assert violation.address == "aws_sagemaker_endpoint_configuration.llm"
    endpoint = change(
        "aws_sagemaker_endpoint.llm",
        {"name": "llm", "endpoint_config_name": None},
        after_unknown={"endpoint_config_name": True},
    )
    target = change(
        "aws_appautoscaling_target.llm",
        {
            "service_namespace": "sagemaker",
            "resource_id": "endpoint/llm/variant/main",
            "min_capacity": 1,
            "max_capacity": 4,
        },
    )
    document = plan(
        endpoint_config,
        endpoint,
        target,
        root_resources=[
            {
                "address": "aws_sagemaker_endpoint.llm",
                "mode": "managed",
                "type": "aws_sagemaker_endpoint",
                "name": "llm",
                "provider_config_key": "aws",
                "expressions": {
                    "endpoint_config_name": {
                        "references": [
                            "aws_sagemaker_endpoint_configuration.llm.name",
                            "aws_sagemaker_endpoint_configuration.llm",
                        ]
                    }
                },
            },
        ],
    )
    assert run(cw402, ("p.json", document)).violations == ()


def test_cw402_ignores_cpu_and_self_scaling_kinds():
    cpu = deployment(G5, MODEL).replace("nvidia.com/gpu: 1", "cpu: 2")
    assert run(cw402, ("d.yaml", cpu)).violations == ()
    knative = f"""
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: {{name: k}}
    spec:
      template:
        spec:
          nodeSelector: {{{G5}}}
          containers: [{{image: vllm/vllm-openai, resources: {{limits: {{nvidia.com/gpu: 1}}}}}}]
    """
    assert run(cw402, ("k.yaml", knative)).violations == ()


def _endpoint_config(**config):
    return plan(
        change(
            "aws_sagemaker_endpoint_configuration.llm",
            {
                "name": "llm",
                "production_variants": [{"instance_type": "ml.g5.2xlarge", "initial_instance_count": 2}],
                "tags_all": {"environment": "dev"},
                **config,
            },
        )
    )


ASYNC = {"async_inference_config": [{"output_config": [{"s3_output_path": "s3://bucket/out"}]}]}


@pytest.mark.parametrize(("config", "floor"), [({}, 1), (ASYNC, 0)])
def test_a_sagemaker_real_time_endpoint_keeps_one_instance(config, floor):
    (violation,) = run(cw402, ("p.json", _endpoint_config(**config))).violations
    assert violation.remedy.changes["min_replicas"] == floor
    assert violation.remedy.description.startswith(f"a floor of {floor},")


def test_cw401_environment_from_the_providers_default_tags():
    from pathlib import Path

    from costwarden import scan

    example = Path(__file__).parents[2] / "examples" / "terraform" / "gpu-fleet" / "plan.json"
    result = scan([str(example)])
    (violation,) = [v for v in result.violations if v.policy_id == "CW401" and "autoscaling" in v.address]
    assert "in production; allowed: 1" in violation.message  # the ASG has no tags; default_tags say prod
    assert violation.remedy.changes["min_replicas"] == 1


def test_a_remedy_to_another_node_recomputes_the_pods_share_and_names_the_new_node():
    from costwarden import scan
    from costwarden.model import Remedy
    from costwarden.pricing.catalog import shipped_catalog
    from costwarden.pricing.impact import cost_impact, price_parts

    catalog = shipped_catalog()
    manifest = deployment("node.kubernetes.io/instance-type: p4d.24xlarge", MODEL, replicas=2)
    result = scan(Document("d.yaml", textwrap.dedent(manifest).encode()))
    (pod,) = [r for r in result.resources if r.compute is not None]
    assert pod.compute.share == 1 / 8
    impact = cost_impact(pod, result.costs[pod.key], Remedy({"instance_type": "g6e.12xlarge"}), catalog)
    moved = dataclasses.replace(pod.compute, instance_type="g6e.12xlarge", gpu=None, share=1 / 4, assumptions=())
    by_hand = price_parts(pod.address, (moved,), catalog)
    assert impact.monthly_cost_after == pytest.approx(by_hand.monthly_cost)  # 2 pods x 1/4 of a g6e.12xlarge
    after = impact.basis.split("After ")[1]
    assert "p4d.24xlarge" not in after and "node g6e.12xlarge (the remedy): 1 of its 4 GPUs" in after


def test_a_python_remedy_with_an_unknown_key_is_an_error_as_in_rego():
    from costwarden import scan
    from costwarden.model import Remedy, Severity
    from costwarden.policies.base import Finding, policy
    from tests.scanning import with_policies

    @policy(id="X1", name="typo", title="typo", severity=Severity.LOW)
    def typo(resource, context):
        """Proposes a remedy with a misspelt key."""
        if resource.compute is not None:
            yield Finding(message="m", remedy=Remedy({"instance_typ": "g6.xlarge"}))

    manifest = textwrap.dedent(deployment(G5, MODEL))
    result = scan(Document("d.yaml", manifest.encode()), with_policies(typo))
    assert result.violations == ()
    assert "policy X1: unknown remedy key 'instance_typ'" in result.errors[0].message
