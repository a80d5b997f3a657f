"""Amazon EC2 instances, launch templates, Auto Scaling groups and EKS node groups.

On-demand from the EC2 catalog; spot as on-demand less the family's typical spot saving
(Spot Instance Advisor). Where a family has no spot figure, spot is priced at on-demand, an
upper bound, and the basis says so. Monthly = hourly x instances x hours per month.
"""

from __future__ import annotations

from costwarden.model import Compute
from costwarden.pricing.catalog import Catalog
from costwarden.pricing.quote import Quote, Unpriced


def price(compute: Compute, catalog: Catalog) -> Quote | Unpriced:
    if compute.instance_type is None:
        return Unpriced("instance type not in the plan (known at apply, or set outside the plan)")
    if compute.count is None:
        return Unpriced("instance count unknown until apply")
    region = compute.region or ""
    on_demand = catalog.ec2_on_demand(region, compute.instance_type)
    if on_demand is None:
        elsewhere = catalog.ec2_regions(compute.instance_type)
        where = f"; priced in {', '.join(elsewhere)}" if elsewhere else ""
        return Unpriced(
            f"no EC2 price for {compute.instance_type} in {region or 'unknown region'}{where}"
        )

    spot_hourly, spot_basis = _spot(compute, catalog, on_demand.usd)
    on_demand_count = (
        compute.count - compute.spot_count if compute.market == "mixed" else compute.count
    )
    spot_count = compute.count - on_demand_count
    if compute.market == "spot":
        on_demand_count, spot_count = 0, compute.count
    hourly = on_demand_count * on_demand.usd + spot_count * spot_hourly

    parts = [f"{compute.instance_type} ${on_demand.usd}/h on-demand in {region}"]
    if compute.region_assumed:
        parts[0] += " (region assumed: none declared)"
    if spot_count:
        parts.append(spot_basis)
    fleet = []
    if on_demand_count:
        fleet.append(f"{on_demand_count} on-demand")
    if spot_count:
        fleet.append(f"{spot_count} spot")
    parts.append(" + ".join(fleet) or "0 instances")
    parts.append(f"{compute.hours_per_month:g} h/month")
    parts.append(f"catalog {on_demand.source} ({on_demand.as_of})")
    return Quote(hourly, hourly * compute.hours_per_month, "; ".join(parts))


def _spot(compute: Compute, catalog: Catalog, on_demand: float) -> tuple[float, str]:
    assert compute.instance_type is not None
    discount = catalog.aws_spot_discount_pct(compute.instance_type, compute.region or "")
    if discount is None:
        family = compute.instance_type.split(".")[0]
        return (
            on_demand,
            f"spot priced at on-demand (no spot saving known for {family}: an upper bound)",
        )
    return on_demand * (1 - discount / 100), f"spot at the family's typical {discount:g}% saving"
