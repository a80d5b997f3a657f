"""Money attached to resources and violations. Policies propose; this prices."""

from __future__ import annotations

import dataclasses

from costwarden.model import Compute, CostImpact, Remedy, Resource, ResourceCost
from costwarden.pricing import Quote, quote
from costwarden.pricing.catalog import Catalog
from costwarden.pricing.rework import rework_instance_hours


def resource_cost(resource: Resource, catalog: Catalog) -> ResourceCost | str | None:
    """The resource's monthly cost; a reason string when it cannot be priced; ``None`` when
    there is nothing to price (no compute, or destroyed by this change)."""
    if resource.compute is None:
        return None
    if not resource.exists_after:
        return ResourceCost(resource.address, 0.0, 0.0, f"{resource.action}: costs nothing after apply")
    return price_parts(resource.address, (resource.compute, *resource.extra_compute), catalog)


def price_parts(address: str, parts: tuple[Compute, ...], catalog: Catalog) -> ResourceCost | str:
    """Every part priced and added up; the first part that cannot be priced says why."""
    quotes = [quote(part, catalog) for part in parts]
    for priced in quotes:
        if not isinstance(priced, Quote):
            return priced.reason
    priced_quotes = [q for q in quotes if isinstance(q, Quote)]
    return ResourceCost(
        address,
        sum(q.monthly for q in priced_quotes),
        sum(q.hourly for q in priced_quotes),
        " | ".join(q.basis for q in priced_quotes),
        tuple(c for q in priced_quotes for c in q.components),
    )


REMEDY_KEYS = {
    "instance_type": "the instance type to move to",
    "market": "on_demand or spot",
    "replicas": "instances to run (count)",
    "hours_per_month": "hours the fleet runs each month",
    "min_replicas": "instances kept outside active hours (with active_hours_per_month)",
    "active_hours_per_month": "hours a month at full size",
    "share": "fraction of an instance each replica uses",
    "checkpoint": "checkpoint so an interruption loses no finished work",
}


def apply_remedy(
    compute: Compute, remedy: Remedy, catalog: Catalog | None = None
) -> tuple[tuple[Compute, ...], list[str]]:
    """The compute as the remedy would leave it, as parts to price; the keys not understood.

    ``min_replicas`` with ``active_hours_per_month`` splits the fleet: ``min_replicas``
    instances around the clock, the rest only during the active hours. A new ``instance_type``
    for a pod that uses part of a node (``share``) recomputes its share of the new node from its
    GPUs, and the basis names the new node, not the old one.
    """
    changes = remedy.changes
    changed = compute
    if "instance_type" in changes:
        changed = _moved(compute, str(changes["instance_type"]), catalog, "share" in changes)
    if changes.get("market") in ("on_demand", "spot"):
        changed = dataclasses.replace(changed, market=changes["market"], spot_count=0)
    if "replicas" in changes:
        changed = dataclasses.replace(changed, count=int(changes["replicas"]))
    if "hours_per_month" in changes:
        changed = dataclasses.replace(changed, hours_per_month=float(changes["hours_per_month"]))
    if "share" in changes:
        changed = dataclasses.replace(changed, share=float(changes["share"]))
    ignored = sorted(set(changes) - set(REMEDY_KEYS))
    active = changes.get("active_hours_per_month")
    if "min_replicas" not in changes:
        if active is not None:
            changed = dataclasses.replace(changed, hours_per_month=float(active))
        return (changed,), ignored
    floor = int(changes["min_replicas"])
    total = changed.count or 0
    hours = float(active) if active is not None else changed.hours_per_month
    always_on = dataclasses.replace(changed, count=min(floor, total), instance_hours=None)
    burst = dataclasses.replace(changed, count=max(total - floor, 0), hours_per_month=hours, instance_hours=None)
    return (always_on, burst), ignored


def cost_impact(
    resource: Resource,
    cost: ResourceCost | None,
    remedy: Remedy | None,
    catalog: Catalog,
    interruptions_per_month: float = 0.2,
    rate_declared: bool = False,
) -> CostImpact | None:
    """``interruptions_per_month`` is the configured rate: used as given when ``rate_declared``
    (set in the config), else only where the Spot Advisor has no band for the type and region."""
    if cost is None or resource.compute is None:
        return None
    if remedy is not None and remedy.changes.get("checkpoint"):
        return _rework(resource.compute, cost, catalog, interruptions_per_month, rate_declared)
    if remedy is None:
        return CostImpact(
            monthly_cost=cost.monthly_cost,
            monthly_cost_after=cost.monthly_cost,
            monthly_savings=0.0,
            basis=f"spend at stake: {cost.basis}",
            catalog_version=catalog.version,
        )
    parts, ignored = apply_remedy(resource.compute, remedy, catalog)
    after = price_parts(resource.address, (*parts, *_scaled_with(resource.extra_compute, parts, remedy)), catalog)
    if isinstance(after, str):
        basis = f"{cost.basis}; remedy not priced: {after}"
        return CostImpact(cost.monthly_cost, cost.monthly_cost, 0.0, basis, catalog.version)
    basis = f"now: {cost.basis}. After {_describe(remedy)}: {after.basis}"
    if ignored:
        basis += f" (not priced: {', '.join(ignored)})"
    return CostImpact(
        monthly_cost=cost.monthly_cost,
        monthly_cost_after=after.monthly_cost,
        monthly_savings=cost.monthly_cost - after.monthly_cost,
        basis=basis,
        catalog_version=catalog.version,
    )


def _moved(compute: Compute, instance_type: str, catalog: Catalog | None, share_given: bool) -> Compute:
    moved = dataclasses.replace(compute, instance_type=instance_type, gpu=None)
    node = f"node {compute.instance_type}"
    if compute.share >= 1.0 or share_given or compute.gpu is None or catalog is None:
        return moved
    gpus = next((count for name, _, count, _ in catalog.gpu_types(compute.provider) if name == instance_type), None)
    if not gpus:
        return moved
    share = min(compute.gpu.count / gpus, 1.0)
    kept = tuple(a for a in compute.assumptions if not a.startswith(node))
    said = f"node {instance_type} (the remedy): {compute.gpu.count:g} of its {gpus:g} GPUs"
    return dataclasses.replace(moved, share=share, assumptions=(said, *kept))


_SCALING_KEYS = frozenset({"replicas", "min_replicas", "hours_per_month", "active_hours_per_month"})


def _scaled_with(extra: tuple[Compute, ...], parts: tuple[Compute, ...], remedy: Remedy) -> list[Compute]:
    """Further parts that scale with the first (``scales_with``) follow a remedy that changes
    its count or hours: scaling a LeaderWorkerSet down removes whole groups, workers too."""
    if not _SCALING_KEYS & set(remedy.changes):
        return list(extra)
    scaled: list[Compute] = []
    for part in extra:
        if part.scales_with is None:
            scaled.append(part)
            continue
        for primary in parts:
            count = None if primary.count is None else round(primary.count * part.scales_with)
            scaled.append(
                dataclasses.replace(part, count=count, hours_per_month=primary.hours_per_month, instance_hours=None)
            )
    return scaled


def _rework(compute: Compute, cost: ResourceCost, catalog: Catalog, rate: float, declared: bool) -> CostImpact | None:
    band = None if declared else catalog.spot_interruptions(compute.region or "", compute.instance_type or "")
    if band is not None:
        rate, source = band
    else:
        source = "training.spot_interruptions_per_month" + (
            "" if declared else ", the declared default (no band known)"
        )
    run = compute if compute.run_hours is not None else dataclasses.replace(compute, run_hours=compute.hours_per_month)
    found = rework_instance_hours(run, rate)
    if found is None or not compute.count:
        return None
    hours, basis = found
    basis += f"; the rate from {source}; managed spot assumed to resume only from a checkpoint"
    per_instance = cost.hourly_cost / compute.count
    monthly = hours * per_instance
    if compute.run_hours is None:
        basis += "; the run taken as the whole month (no run time declared)"
    basis += f"; at ${per_instance:.4g}/instance-hour ({cost.basis})"
    return CostImpact(
        monthly_cost=cost.monthly_cost,
        monthly_cost_after=cost.monthly_cost,
        monthly_savings=0.0,
        basis=basis,
        catalog_version=catalog.version,
        expected_loss=monthly,
    )


def _describe(remedy: Remedy) -> str:
    return remedy.description or ", ".join(f"{k}={v}" for k, v in remedy.changes.items())
