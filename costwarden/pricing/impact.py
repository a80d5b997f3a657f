"""Money attached to resources and violations. Policies propose; this prices."""

from __future__ import annotations

import dataclasses

from costwarden.model import Compute, CostImpact, Remedy, Resource, ResourceCost
from costwarden.pricing import Quote, quote
from costwarden.pricing.catalog import Catalog

_COMPUTE_FIELDS = {f.name for f in dataclasses.fields(Compute)}


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
    )


def apply_remedy(compute: Compute, remedy: Remedy) -> tuple[Compute, list[str]]:
    """The compute with the remedy's changes; the keys this cost model cannot apply."""
    known = {key: value for key, value in remedy.changes.items() if key in _COMPUTE_FIELDS}
    ignored = sorted(set(remedy.changes) - set(known))
    return dataclasses.replace(compute, **known), ignored


def cost_impact(
    resource: Resource, cost: ResourceCost | None, remedy: Remedy | None, catalog: Catalog
) -> CostImpact | None:
    if cost is None or resource.compute is None:
        return None
    if remedy is None:
        return CostImpact(
            monthly_cost=cost.monthly_cost,
            monthly_cost_after=cost.monthly_cost,
            monthly_savings=0.0,
            basis=f"spend at stake: {cost.basis}",
            catalog_version=catalog.version,
        )
    changed, ignored = apply_remedy(resource.compute, remedy)
    after = quote(changed, catalog)
    if not isinstance(after, Quote):
        basis = f"{cost.basis}; remedy not priced: {after.reason}"
        return CostImpact(cost.monthly_cost, cost.monthly_cost, 0.0, basis, catalog.version)
    basis = f"now: {cost.basis}. After {_describe(remedy)}: {after.basis}"
    if ignored:
        basis += f" (not priced: {', '.join(ignored)})"
    return CostImpact(
        monthly_cost=cost.monthly_cost,
        monthly_cost_after=after.monthly,
        monthly_savings=cost.monthly_cost - after.monthly,
        basis=basis,
        catalog_version=catalog.version,
    )


def _describe(remedy: Remedy) -> str:
    return remedy.description or ", ".join(f"{k}={v}" for k, v in remedy.changes.items())
