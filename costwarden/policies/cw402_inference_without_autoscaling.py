from __future__ import annotations

from collections.abc import Iterator

from costwarden.model import Resource, Severity
from costwarden.policies.base import Context, Finding, policy
from costwarden.policies.workloads import floor_for, gpus, scale_down_remedy, workload

SELF_SCALING = ("InferenceService", "Service", "AWS::SageMaker::Endpoint", "aws_sagemaker_endpoint")


@policy(
    id="CW402",
    name="inference-without-autoscaling",
    title="GPU inference with no autoscaler",
    severity=Severity.MEDIUM,
    categories=("inference_workload", "inference_endpoint"),
)
def inference_without_autoscaling(resource: Resource, context: Context) -> Iterator[Finding]:
    """GPU inference has an autoscaler.

    A GPU inference deployment or endpoint with no autoscaler runs its full size around the
    clock, whatever the traffic. Attach one (HPA or KEDA for Kubernetes, Application Auto
    Scaling or managed instance scaling for SageMaker); the remedy is priced like CW401's: the
    floor always on, the rest during ``inference.active_hours``.

    Fails: a SageMaker endpoint configuration with two ``ml.g5.2xlarge`` instances and no
    ``aws_appautoscaling_target``.

    Passes: the same configuration with an ``aws_appautoscaling_target`` for its variant.
    """
    compute = resource.compute
    if compute is None or resource.scaling is not None or not gpus(resource):
        return
    if workload(resource) != "inference" or resource.type in SELF_SCALING:
        return
    floor, _ = floor_for(resource, context.config)
    replicas = compute.count if compute.count is not None else "a fixed number of"
    yield Finding(
        message=f"GPU inference runs {replicas} replicas with no autoscaler",
        remediation="Add an autoscaler with a minimum of "
        f"{floor}: HPA or KEDA (Kubernetes), Application Auto Scaling or managed instance scaling (SageMaker).",
        remedy=scale_down_remedy(floor, context.config),
    )
