"""The normalized scan as Rego's ``input``: ``input.resources``, one object per resource."""

from __future__ import annotations

import dataclasses
from typing import Any

from costwarden.model import Compute, Resource
from costwarden.policies.workloads import environment, workload


def _fields(value: Any) -> dict[str, Any] | None:
    """A shallow dataclass as a dict (``dataclasses.asdict`` deep-copies: slow for 10,000)."""
    if value is None:
        return None
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}


def compute_document(compute: Compute | None) -> dict[str, Any] | None:
    document = _fields(compute)
    if document is not None:
        document["gpu"] = _fields(document["gpu"])
        document["assumptions"] = list(document["assumptions"])
    return document


def resource_document(resource: Resource) -> dict[str, Any]:
    return {
        "key": resource.key,
        "address": resource.address,
        "type": resource.type,
        "category": resource.category,
        "provider": resource.provider,
        "action": resource.action,
        "exists_after": resource.exists_after,
        "location": {"path": resource.location.path, "line": resource.location.line},
        "tags": dict(resource.tags),
        "taggable": resource.taggable,
        "unknown": sorted(resource.unknown),
        "compute": compute_document(resource.compute),
        "scaling": _fields(resource.scaling),
        "training": _fields(resource.training),
        "workload": workload(resource),
        "environment": environment(resource),
        "model": resource.model,
        "model_memory_gib": resource.model_memory_gib,
        "links": dict(resource.links),
        "attributes": resource.attributes,
    }


def scan_input(resources: list[Resource]) -> dict[str, Any]:
    return {"resources": [resource_document(r) for r in resources]}
