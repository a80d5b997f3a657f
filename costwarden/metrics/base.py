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


def endpoint_names(resources: Sequence[Resource]) -> dict[str, str]:
    """Endpoint configuration (by key) -> the name of the SageMaker endpoint that runs it."""
    by_address = {(r.document or r.location.path, r.address): r for r in resources}
    names: dict[str, str] = {}
    for resource in resources:
        name = resource.attributes.get("name")
        config = resource.links.get("endpoint_configuration")
        if resource.type == "aws_sagemaker_endpoint" and isinstance(name, str) and config:
            target = by_address.get((resource.document or resource.location.path, config))
            if target is not None:
                names[target.key] = name
    for resource in resources:
        if resource.address.startswith("EndpointConfig/") and resource.key not in names:
            names[resource.key] = resource.address.split("/", 1)[1]  # an API request names its endpoint alike
    return names


def kubernetes_workload(resource: Resource) -> tuple[str, str] | None:
    """``(namespace, name)`` of a Kubernetes workload whose pods are named after it."""
    if resource.provider != "kubernetes" or resource.address.count("/") != 2:
        return None
    _, namespace, name = resource.address.split("/")
    return namespace, name


Joined = Mapping[str, Utilization]
