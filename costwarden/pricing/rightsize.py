"""The cheapest instance of given GPU classes that holds a model, priced like any remedy."""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from costwarden.model import Compute
from costwarden.pricing import Quote, quote
from costwarden.pricing.catalog import Catalog
from costwarden.pricing.gpus import GpuInstance, gpu_class, gpu_instances, tflops, vendor

Found = tuple[dict[str, Any], str]
"""Remedy changes and how to say them."""


def _remembered(key: tuple[Any, ...], catalog: Catalog, find: Callable[[], Found | None]) -> Found | None:
    """A search's answer, worked out once per catalog (many pods ask the same of the same
    node), handed out as a copy so no caller changes another's remedy."""
    memo = catalog.memo
    if key not in memo:
        memo[key] = find()
    found: Found | None = memo[key]
    return None if found is None else (dict(found[0]), found[1])


def cheapest_fitting(compute: Compute, memory_gib: float, classes: Iterable[str], catalog: Catalog) -> Found | None:
    """Remedy changes and a description, or ``None`` when nothing that fits is cheaper."""
    wanted = frozenset(classes)
    key = ("cheapest_fitting", compute, memory_gib, wanted, catalog.fallback_region)
    return _remembered(key, catalog, lambda: _fitting(compute, memory_gib, wanted, catalog))


def _fitting(compute: Compute, memory_gib: float, wanted: frozenset[str], catalog: Catalog) -> Found | None:

    def fits() -> Iterator[tuple[GpuInstance, int, str]]:
        for candidate in gpu_instances(catalog, compute.provider, compute.region or ""):
            if candidate.gpu_class not in wanted or candidate.memory_gib_per_gpu <= 0:
                continue
            needed = max(1, math.ceil(memory_gib / candidate.memory_gib_per_gpu))
            held = needed * candidate.memory_gib_per_gpu
            yield (
                candidate,
                needed,
                f"{needed:g} x {candidate.gpu_class}, {held:.0f} GiB for a {memory_gib:.0f} GiB model",
            )

    return _cheapest(compute, catalog, fits())


def cheapest_for_demand(
    compute: Compute, demand_tflops: float, memory_gib_per_gpu: float, target_pct: float, catalog: Catalog
) -> Found | None:
    """The cheapest type, same provider and region, whose GPUs at ``target_pct`` cover the
    measured demand and each hold the memory peak; ``None`` when nothing cheaper fits."""
    key = ("cheapest_for_demand", compute, demand_tflops, memory_gib_per_gpu, target_pct, catalog.fallback_region)
    found = functools.partial(_for_demand, compute, demand_tflops, memory_gib_per_gpu, target_pct, catalog)
    return _remembered(key, catalog, found)


def _for_demand(
    compute: Compute, demand_tflops: float, memory_gib_per_gpu: float, target_pct: float, catalog: Catalog
) -> Found | None:
    maker = vendor(gpu_class(compute.gpu.model) if compute.gpu else None)

    def fits() -> Iterator[tuple[GpuInstance, int, str]]:
        for candidate in gpu_instances(catalog, compute.provider, compute.region or ""):
            per_gpu = tflops(catalog, candidate.gpu_class)
            if per_gpu is None or candidate.memory_gib_per_gpu < memory_gib_per_gpu:
                continue
            if vendor(candidate.gpu_class) != maker:
                continue
            needed = max(1, math.ceil(demand_tflops / (per_gpu * target_pct / 100)))
            covered = f"{needed * per_gpu:.0f} TFLOPS at {target_pct:g}% covers {demand_tflops:.0f} measured"
            yield candidate, needed, f"{needed:g} x {candidate.gpu_class}: {covered}"

    return _cheapest(compute, catalog, fits())


def _cheapest(compute: Compute, catalog: Catalog, fits: Iterable[tuple[GpuInstance, int, str]]) -> Found | None:
    """Of the candidates with enough GPUs, the cheapest once priced, when it beats the current type."""
    current = quote(compute, catalog)
    if not isinstance(current, Quote) or compute.instance_type is None:
        return None
    best: tuple[float, dict[str, Any], str] | None = None
    for candidate, needed, detail in fits:
        if needed > candidate.gpu_count:
            continue
        changes: dict[str, Any] = {"instance_type": candidate.instance_type}
        if compute.service == "sagemaker":
            changes["instance_type"] = f"ml.{candidate.instance_type}"
        elif compute.share != 1:  # a Kubernetes pod takes the GPUs it needs of the node
            changes["share"] = needed / candidate.gpu_count
        changed = dataclasses.replace(
            compute, instance_type=changes["instance_type"], share=changes.get("share", compute.share)
        )
        priced = quote(changed, catalog)
        if not isinstance(priced, Quote):
            continue
        if best is None or priced.monthly < best[0]:
            best = (priced.monthly, changes, f"move to {changes['instance_type']} ({detail})")
    if best is None or best[0] >= current.monthly:
        return None
    return best[1], best[2]
