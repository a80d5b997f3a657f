"""What the AI-workload policies ask of a resource: GPUs, workload kind, environment, scaling."""

from __future__ import annotations

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
    for key in _ENVIRONMENT_KEYS:
        present, value = tag_value(resource, key)
        if present and value:
            return value.lower()
    return None


def is_production(resource: Resource, config: Config) -> bool | None:
    """``None`` when no tag or label says."""
    value = environment(resource)
    if value is None:
        return None
    return value in {e.lower() for e in config.inference.production_environments}


def floor_for(resource: Resource, config: Config) -> tuple[int, bool | None]:
    """The minimum replicas allowed: production's floor, zero elsewhere (or untagged)."""
    production = is_production(resource, config)
    return (config.inference.production_min_replicas if production else 0), production


def scale_down_remedy(floor: int, config: Config) -> Remedy:
    """The floor always on, the rest only during the configured active hours."""
    active = config.inference.active_hours
    return Remedy(
        {"min_replicas": floor, "active_hours_per_month": round(active.hours_per_month, 1)},
        f"a floor of {floor}, the rest {active.hours_per_day:g} h x {active.days_per_week:g} days a week",
    )
