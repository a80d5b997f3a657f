"""Amazon EC2: instances, launch templates, Auto Scaling groups and EKS node groups."""

from __future__ import annotations

import dataclasses

from costwarden.model import Compute
from costwarden.pricing import fleet
from costwarden.pricing.catalog import Catalog
from costwarden.pricing.quote import Quote, Unpriced


def price(compute: Compute, catalog: Catalog) -> Quote | Unpriced:
    if compute.instance_type is None:
        return Unpriced("instance type not in the plan (known at apply, or set outside the plan)")
    region = compute.region or ""
    on_demand = catalog.ec2_on_demand(region, compute.instance_type)
    fallback = catalog.fallback_region
    if on_demand is None and fallback and fallback != region:
        borrowed = catalog.ec2_on_demand(fallback, compute.instance_type)
        if borrowed is not None:
            what = (
                f"{compute.instance_type} ${borrowed.usd}/h on-demand at {fallback}'s rate "
                f"(no price in {region or 'an unknown region'}; --price-fallback-region)"
            )
            return fleet.quote(compute, borrowed, catalog, what)
    if on_demand is None:
        elsewhere = catalog.ec2_regions(compute.instance_type)
        if not elsewhere:
            return Unpriced(f"{compute.instance_type!r} is not an EC2 instance type in the catalog")
        return Unpriced(
            f"no EC2 price for {compute.instance_type} in {region or 'an unknown region'}; "
            f"priced in {', '.join(elsewhere)}"
        )
    what = f"{compute.instance_type} ${on_demand.usd}/h on-demand in {region}"
    quote = fleet.quote(compute, on_demand, catalog, what)
    if not compute.alternatives or not isinstance(quote, Quote):
        return quote
    return dataclasses.replace(quote, basis=f"{quote.basis}; {_range(compute, quote, catalog)}")


def _range(compute: Compute, chosen: Quote, catalog: Catalog) -> str:
    """What the same fleet costs on each of its instance types, cheapest to dearest."""
    monthly = {compute.instance_type: chosen.monthly}
    for other in compute.alternatives:
        alone = dataclasses.replace(compute, instance_type=other, alternatives=(), assumptions=())
        quote = price(alone, catalog)
        if isinstance(quote, Quote):
            monthly[other] = quote.monthly
    unpriced = [t for t in compute.alternatives if t not in monthly]
    low, high = min(monthly, key=lambda t: monthly[t] or 0.0), max(monthly, key=lambda t: monthly[t] or 0.0)
    text = (
        f"across its {len(compute.alternatives) + 1} instance types ${monthly[low]:,.2f}/month ({low}) "
        f"to ${monthly[high]:,.2f}/month ({high})"
    )
    return text + (f"; not priced: {', '.join(unpriced)}" if unpriced else "")
