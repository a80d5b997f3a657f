from __future__ import annotations

from collections.abc import Iterator

from costwarden.model import Remedy, Resource, Severity
from costwarden.policies.base import Context, Finding, Inconclusive, policy
from costwarden.policies.workloads import workload


@policy(
    id="CW302",
    name="spot-without-checkpoint",
    title="Spot training without checkpoints",
    severity=Severity.HIGH,
)
def spot_without_checkpoint(resource: Resource, context: Context) -> Iterator[Finding | Inconclusive]:
    """Spot training checkpoints, so an interruption does not throw away finished work.

    Spot capacity is reclaimed without asking; a training job that does not checkpoint
    starts over, and pays again for the work it lost. The cost impact is the expected rework:
    interruptions at ``training.spot_interruptions_per_month`` per instance, each losing half a
    run on every instance (the model is written out in the basis).

    SageMaker: ``EnableManagedSpotTraining`` without ``CheckpointConfig.S3Uri``. Kubernetes: a
    spot training workload with no checkpoint volume, path, argument or variable.

    Fails: ``"EnableManagedSpotTraining": true`` and no ``CheckpointConfig``.

    Passes: ``"CheckpointConfig": {"S3Uri": "s3://bucket/checkpoints/"}``.
    """
    compute = resource.compute
    training = resource.training
    if compute is None or training is None or compute.market != "spot" or workload(resource) != "training":
        return
    if training.checkpoint is None:
        yield Inconclusive("whether the job checkpoints is decided at run time")
        return
    if training.checkpoint:
        return
    yield Finding(
        message="spot training without checkpoints: every interruption restarts the run",
        remediation="Checkpoint to durable storage (SageMaker CheckpointConfig.S3Uri, or a volume and resume path).",
        remedy=Remedy({"checkpoint": True}, "checkpointing"),
    )
