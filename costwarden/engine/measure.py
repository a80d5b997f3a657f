"""Measured utilization onto resources, from every configured source, in one batch each."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from costwarden.metrics.base import MetricsSource, gpus_of
from costwarden.model import Problem, Resource, Utilization


def attach(resources: Sequence[Resource], sources: Sequence[MetricsSource], warnings: list[Problem]) -> list[Resource]:
    """The first source that knows a resource wins; a resource this change creates has no
    history, and a warning says so rather than anything being assumed."""
    measured: dict[str, Utilization] = {}
    for source in sources:
        answer = source.utilization(resources)
        warnings.extend(answer.warnings)
        for key, utilization in answer.by_key.items():
            measured.setdefault(key, utilization)
    attached = []
    for resource in resources:
        if resource.action == "create" and gpus_of(resource) and resource.source_format == "terraform-plan":
            where = resource.location
            warnings.append(
                Problem("no utilization history: this change creates it", where.path, where.line, resource.address)
            )
            attached.append(resource)
            continue
        found = measured.get(resource.key)
        if found is None and gpus_of(resource) and resource.exists_after:
            names = ", ".join(source.name for source in sources)
            where = resource.location
            warnings.append(Problem(f"no utilization measured ({names})", where.path, where.line, resource.address))
        attached.append(dataclasses.replace(resource, utilization=found) if found else resource)
    return attached
