"""What the AI-workload policies ask of a resource: GPUs, workload kind, environment, scaling."""

from __future__ import annotations

from typing import Any

from costwarden.config import Config
from costwarden.model import Remedy, Resource
from costwarden.policies.tagging import tag_value
from costwarden.pricing.gpus import gpu_class

_ENVIRONMENT_KEYS = ("finops:environment", "environment", "env", "stage", "Environment")
_WORKLOAD_KEYS = ("costwarden:workload", "costwarden.io/workload", "workload")


def gpus(resource: Resource) -> float:
    compute = resource.compute
    return compute.gpu.count if compute is not None and compute.gpu is not None else 0.0


def gpu_label(resource: Resource) -> str | None:
    compute = resource.compute
    return gpu_class(compute.gpu.model) if compute is not None and compute.gpu is not None else None


def workload(resource: Resource) -> str | None:
    for key in _WORKLOAD_KEYS:
        present, value = tag_value(resource, key)
        if present and value in ("training", "inference", "batch"):
            return value
    if resource.compute is not None and resource.compute.workload:
        return resource.compute.workload
    return {"training_job": "training", "inference_endpoint": "inference", "inference_workload": "inference"}.get(
        resource.category
    )


def environment(resource: Resource) -> str | None:
    """From the resource's own tags, else from its provider's ``default_tags`` (an Auto Scaling
    group does not take them as tags, but the configuration says where it runs)."""
    for key in _ENVIRONMENT_KEYS:
        present, value = tag_value(resource, key)
        if present and value:
            return value.lower()
    for key in _ENVIRONMENT_KEYS:
        value = resource.provider_tags.get(key)
        if value:
            return value.lower()
    return None


def is_production(resource: Resource, config: Config) -> bool | None:
    """``None`` when no tag or label says."""
    value = environment(resource)
    if value is None:
        return None
    return value in {e.lower() for e in config.inference.production_environments}


def floor_for(resource: Resource, config: Config) -> tuple[int, bool | None]:
    """The minimum replicas allowed: production's floor, zero elsewhere (or untagged); one for a
    SageMaker real-time endpoint, which cannot run no instance."""
    production = is_production(resource, config)
    floor = config.inference.production_min_replicas if production else 0
    if real_time_endpoint(resource):
        floor = max(floor, 1)
    return floor, production


_SCALES_TO_ZERO = {
    "asyncinferenceconfig",
    "async_inference_config",
    "managedinstancescaling",
    "managed_instance_scaling",
}
REAL_TIME_FLOOR = (
    "a SageMaker real-time endpoint runs at least one instance; to scale to zero, make it asynchronous "
    "(AsyncInferenceConfig), serve through inference components with managed instance scaling "
    "(MinInstanceCount 0), or use a serverless endpoint"
)


def real_time_endpoint(resource: Resource) -> bool:
    """A SageMaker endpoint on instances that is neither asynchronous nor built of inference
    components: SageMaker keeps at least one instance of it running."""
    compute = resource.compute
    if resource.category != "inference_endpoint" or compute is None or compute.service != "sagemaker":
        return False
    return not (_SCALES_TO_ZERO & _keys(resource.attributes, 3))


def _keys(value: Any, depth: int) -> set[str]:
    found: set[str] = set()
    if depth <= 0:
        return found
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(str(key).lower())
            found |= _keys(item, depth - 1)
    elif isinstance(value, list):
        for item in value:
            found |= _keys(item, depth)
    return found


def scale_down_remedy(floor: int, config: Config) -> Remedy:
    """The floor always on, the rest only during the configured active hours."""
    active = config.inference.active_hours
    return Remedy(
        {"min_replicas": floor, "active_hours_per_month": round(active.hours_per_month, 1)},
        f"a floor of {floor}, the rest {active.hours_per_day:g} h x {active.days_per_week:g} days a week",
    )
