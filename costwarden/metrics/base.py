"""What every utilization source shares: the protocol and what a lookup returns."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from costwarden.model import Problem, Resource, Utilization


@dataclass
class Measured:
    by_key: dict[str, Utilization] = field(default_factory=dict)
    """``Resource.key`` -> what was measured."""
    warnings: list[Problem] = field(default_factory=list)


class MetricsSource(Protocol):
    """Answers for many resources at once (batched queries, never one per resource)."""

    name: str

    def utilization(self, resources: Sequence[Resource]) -> Measured: ...


def summarize(values: Sequence[float]) -> tuple[float, float] | None:
    """Average and 95th percentile (nearest rank) of finite samples."""
    finite = sorted(v for v in values if math.isfinite(v))
    if not finite:
        return None
    rank = max(0, math.ceil(0.95 * len(finite)) - 1)
    return sum(finite) / len(finite), finite[rank]


def gpus_of(resource: Resource) -> float:
    compute = resource.compute
    return compute.gpu.count if compute is not None and compute.gpu is not None and compute.gpu.count else 0.0


def endpoint_name(resource: Resource) -> str | None:
    """The SageMaker endpoint a resource is (or configures), by name."""
    name = resource.attributes.get("name") if resource.type == "aws_sagemaker_endpoint" else None
    if isinstance(name, str):
        return name
    if resource.address.startswith(("EndpointConfig/", "Endpoint/")):
        return resource.address.split("/", 1)[1]
    return None


def kubernetes_workload(resource: Resource) -> tuple[str, str] | None:
    """``(namespace, name)`` of a Kubernetes workload whose pods are named after it."""
    if resource.provider != "kubernetes" or resource.address.count("/") != 2:
        return None
    _, namespace, name = resource.address.split("/")
    return namespace, name


Joined = Mapping[str, Utilization]
