import pytest

from costwarden import Config
from costwarden.config import TrainingConfig
from costwarden.policies.cw301_training_on_demand import training_on_demand as cw301
from costwarden.policies.cw302_spot_without_checkpoint import spot_without_checkpoint as cw302
from costwarden.policies.cw303_spot_wait_too_short import spot_wait_too_short as cw303
from tests.policies.helpers import run

JOB = {
    "TrainingJobName": "ft",
    "AlgorithmSpecification": {"TrainingImage": "x"},
    "ResourceConfig": {"InstanceType": "ml.p3.16xlarge", "InstanceCount": 2},
    "StoppingCondition": {"MaxRuntimeInSeconds": 36000},
}
SPOT = {
    **JOB,
    "EnableManagedSpotTraining": True,
    "StoppingCondition": {"MaxRuntimeInSeconds": 36000, "MaxWaitTimeInSeconds": 72000},
}
CHECKPOINTED = {**SPOT, "CheckpointConfig": {"S3Uri": "s3://b/ckpt/"}}


def pytorch_job(selector: str, volumes: str = "") -> str:
    return f"""
    apiVersion: kubeflow.org/v1
    kind: PyTorchJob
    metadata: {{name: ft}}
    spec:
      runPolicy: {{activeDeadlineSeconds: 36000}}
      pytorchReplicaSpecs:
        Worker:
          replicas: 2
          template:
            spec:
              nodeSelector: {{{selector}}}
              containers:
              - name: train
                image: pytorch/pytorch
                args: ["torchrun", "train.py"{volumes}]
                resources: {{limits: {{nvidia.com/gpu: 8}}}}
    """


def test_cw301_fails_on_demand_training_with_spot_savings():
    (violation,) = run(cw301, ("job.json", JOB)).violations
    assert violation.remedy.changes == {"market": "spot"}
    assert violation.cost.monthly_savings > 0
    assert "After spot capacity" in violation.cost.basis


def test_cw301_passes_spot_and_ignores_cpu_training():
    assert run(cw301, ("job.json", SPOT)).violations == ()
    assert (
        run(
            cw301, ("job.json", {**JOB, "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1}})
        ).violations
        == ()
    )


def test_cw301_on_kubernetes_training_nodes():
    assert len(run(cw301, ("j.yaml", pytorch_job("node.kubernetes.io/instance-type: p4d.24xlarge"))).violations) == 1
    spot = "node.kubernetes.io/instance-type: p4d.24xlarge, karpenter.sh/capacity-type: spot"
    assert run(cw301, ("j.yaml", pytorch_job(spot))).violations == ()


def test_cw301_run_time_choice_is_inconclusive():
    result = run(cw301, ("job.json", {**JOB, "EnableManagedSpotTraining": {"Get": "Parameters.Spot"}}))
    assert result.violations == ()
    assert "decided at run time" in result.warnings[0].message


def test_cw302_fails_without_checkpoints_with_the_rework_model_in_the_basis():
    result = run(cw302, ("job.json", SPOT))
    (violation,) = result.violations
    # p3.16xlarge in us-east-1 is in the Spot Advisor's >20% band, taken as 0.25 per instance-month:
    # 2 instances x 0.25/730 per hour x 10 h = 0.00685 interruptions, each losing 5 h on 2 instances
    expected_hours = 2 * 0.25 / 730 * 10 * 5 * 2
    spend = result.costs[violation.resource_key]
    per_instance_hour = spend.hourly_cost / 2
    assert violation.cost.expected_loss == pytest.approx(expected_hours * per_instance_hour)
    assert violation.cost.monthly_cost == violation.cost.spend_at_stake == spend.monthly_cost  # one meaning
    assert violation.cost.monthly_savings == 0.0
    assert result.totals.monthly_cost_at_stake == round(spend.monthly_cost, 2)  # totals are in cents
    assert result.totals.expected_loss == round(violation.cost.expected_loss, 2)
    assert (
        "expected rework without checkpoints: 2 instances x 0.25 interruptions per instance-month"
        in violation.cost.basis
    )
    assert f"{expected_hours:.3g} instance-hours per run" in violation.cost.basis


def test_cw302_rate_from_config_and_passes_with_checkpoints():
    config = Config(training=TrainingConfig(spot_interruptions_per_month=0.5))  # declared: used as given
    low = run(cw302, ("job.json", SPOT)).violations[0].cost.expected_loss  # the band's 0.25
    high = run(cw302, ("job.json", SPOT), config=config).violations[0]
    assert high.cost.expected_loss == pytest.approx(2 * low)
    assert "the rate from training.spot_interruptions_per_month;" in high.cost.basis
    assert run(cw302, ("job.json", CHECKPOINTED)).violations == ()


def test_cw302_kubernetes_checkpoint_volume():
    spot = "node.kubernetes.io/instance-type: p4d.24xlarge, karpenter.sh/capacity-type: spot"
    assert len(run(cw302, ("j.yaml", pytorch_job(spot))).violations) == 1
    assert run(cw302, ("j.yaml", pytorch_job(spot, ', "--checkpoint-dir", "/ckpt"'))).violations == ()


@pytest.mark.parametrize(
    ("stopping", "message"),
    [
        ({"MaxRuntimeInSeconds": 36000}, "MaxWaitTimeInSeconds is missing"),
        (
            {"MaxRuntimeInSeconds": 36000, "MaxWaitTimeInSeconds": 3600},
            "below MaxRuntimeInSeconds 36000: the request is invalid",
        ),
        ({"MaxRuntimeInSeconds": 36000, "MaxWaitTimeInSeconds": 40000}, "under 2x MaxRuntimeInSeconds 36000"),
        ({"MaxRuntimeInSeconds": 36000, "MaxWaitTimeInSeconds": 72000}, None),
    ],
)
def test_cw303_wait_against_run_time(stopping, message):
    result = run(cw303, ("job.json", {**CHECKPOINTED, "StoppingCondition": stopping}))
    if message is None:
        assert result.violations == ()
    else:
        (violation,) = result.violations
        assert message in violation.message
        assert violation.cost.monthly_cost > 0  # the run's spend at stake


def test_cw303_ignores_on_demand_and_run_time_stopping():
    assert run(cw303, ("job.json", JOB)).violations == ()
    result = run(cw303, ("job.json", {**SPOT, "StoppingCondition": {"Get": "Parameters.Stop"}}))
    assert result.violations == ()
    assert "stopping condition is set at run time" in result.warnings[0].message


def test_cw302_rate_from_the_spot_advisor_band_else_the_declared_default():
    from costwarden.pricing.catalog import shipped_catalog

    catalog = shipped_catalog()
    rate, source = catalog.spot_interruptions("us-east-1", "ml.p3.16xlarge")
    assert rate == 0.25 and "band >20%" in source and "2025-11-30" in source  # aws_spot_interruption.tsv
    assert catalog.spot_interruptions("us-east-1", "ml.m5.large") is None
    (violation,) = run(cw302, ("job.json", SPOT)).violations
    assert f"x {rate:g} interruptions per instance-month" in violation.cost.basis
    assert "the rate from Spot Advisor band >20% for p3.16xlarge in us-east-1" in violation.cost.basis
    elsewhere = {**SPOT, "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 2}}
    (default,) = run(cw302, ("job.json", elsewhere)).violations
    assert "x 0.2 interruptions" in default.cost.basis and "the declared default (no band known)" in default.cost.basis
