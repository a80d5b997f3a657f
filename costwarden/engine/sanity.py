"""Numbers an input may declare, checked before anything is priced.

A count of 10^309, ``1e308`` hours, a negative replica count or NaN is an input error on that
resource, with its ``file:line``; the resource is kept (policies still see it) but not priced,
so no report ever shows an infinite, NaN or negative dollar figure.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

from costwarden.model import Compute, Problem, Resource

MAX_INSTANCES = 100_000
"""More instances (or pods) than any one declaration runs; past it a count is a typo or an attack."""
MAX_HOURS_PER_MONTH = 744.0
"""31 days of 24 hours."""
LIMITS: dict[str, tuple[float, float]] = {
    "count": (0, MAX_INSTANCES),
    "spot_count": (0, MAX_INSTANCES),
    "hours_per_month": (0, MAX_HOURS_PER_MONTH),
    "run_hours": (0, 24 * 366),
    "runs_per_month": (0, 100_000),
    "instance_hours": (0, MAX_INSTANCES * MAX_HOURS_PER_MONTH),
    "share": (0, 1),
}


def problems_of(compute: Compute) -> list[str]:
    found = []
    for name, (low, high) in LIMITS.items():
        value = getattr(compute, name)
        if value is None:
            continue
        if not _number(value) or not low <= value <= high:
            found.append(f"{name} {_shown(value)} is not between {low:g} and {high:g}")
    if compute.gpu is not None and (not _number(compute.gpu.count) or not 0 <= compute.gpu.count <= 1024):
        found.append(f"GPU count {_shown(compute.gpu.count)} is not between 0 and 1024")
    return found


def checked(resources: Sequence[Resource], errors: list[Problem]) -> list[Resource]:
    """The resources, with any whose numbers are out of bounds left unpriced and an error each."""
    kept = []
    for resource in resources:
        parts = [c for c in (resource.compute, *resource.extra_compute, *resource.compute_before) if c is not None]
        found = [problem for part in parts for problem in problems_of(part)]
        scaling = resource.scaling
        if scaling is not None:
            for name in ("min", "max", "desired"):
                value = getattr(scaling, name, None)
                if value is not None and (not _number(value) or not 0 <= value <= MAX_INSTANCES):
                    found.append(f"{name} replicas {_shown(value)} is not between 0 and {MAX_INSTANCES:,}")
        if not found:
            kept.append(resource)
            continue
        where = resource.location
        said = "; ".join(dict.fromkeys(found))
        errors.append(Problem(f"invalid number: {said}; not priced", where.path, where.line, resource.address))
        kept.append(dataclasses.replace(resource, compute=None, extra_compute=(), compute_before=(), scaling=None))
    return kept


def _number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:12]}…({len(text)} digits)"
