from __future__ import annotations

from collections.abc import Iterator

from costwarden.model import Resource, Severity
from costwarden.policies.base import Context, Finding, policy
from costwarden.policies.workloads import (
    REAL_TIME_FLOOR,
    floor_for,
    gpus,
    real_time_endpoint,
    scale_down_remedy,
    workload,
)


@policy(
    id="CW401",
    name="inference-always-on",
    title="GPU inference never scales to zero",
    severity=Severity.MEDIUM,
)
def inference_always_on(resource: Resource, context: Context) -> Iterator[Finding]:
    """GPU inference scales to zero outside production, and to a small floor in it.

    Idle GPUs cost as much as busy ones. Outside production, GPU inference should scale to
    zero when nobody uses it; in production, no higher than ``inference.production_min_replicas``
    (default 1). The minimum comes from HPA ``minReplicas``, KEDA ``minReplicaCount``, KServe
    ``minReplicas``, Knative ``min-scale``, SageMaker autoscaling ``min_capacity`` and GPU node
    groups' minimum size. The remedy keeps the floor on and runs the rest only during
    ``inference.active_hours`` (default 12 hours on weekdays), priced.

    Fails: an HPA with ``minReplicas: 2`` on a GPU Deployment labelled ``environment: dev``.

    Passes: a KEDA ScaledObject with ``minReplicaCount: 0`` on the same Deployment.

    A SageMaker real-time endpoint cannot run no instance: its floor is 1, and the remediation
    says how to scale to zero (asynchronous endpoint, inference components, serverless).
    """
    scaling, compute = resource.scaling, resource.compute
    if scaling is None or compute is None or scaling.min is None or not gpus(resource):
        return
    if resource.category != "node_pool" and workload(resource) != "inference":
        return
    if resource.category == "node_pool" and workload(resource) == "training":
        return
    floor, production = floor_for(resource, context.config)
    if scaling.min <= floor:
        return
    where = (
        "in production" if production else "outside production" if production is False else "(environment not tagged)"
    )
    active = context.config.inference.active_hours
    why = f" ({REAL_TIME_FLOOR})" if real_time_endpoint(resource) and floor == 1 and not production else ""
    yield Finding(
        message=f"GPU inference keeps at least {scaling.min} replicas running {where}; allowed: {floor}",
        remediation=(
            f"Set the minimum to {floor} and scale up with demand; the remedy assumes "
            f"{active.hours_per_day:g} h a day, {active.days_per_week:g} days a week of use.{why}"
        ),
        remedy=scale_down_remedy(floor, context.config),
    )
