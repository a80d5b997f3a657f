"""From one instance's hourly prices to a fleet's monthly cost, with the basis in words.

Shared by every cost model: the market mix (on-demand, spot, mixed), hours per month, training
runs, and instance-hours from the usage file. Spot uses the catalog's spot price when it has
one, else on-demand less the family's typical saving, else on-demand (an upper bound, said so).
"""

from __future__ import annotations

from costwarden.model import Compute, CostComponent
from costwarden.pricing.catalog import Catalog, HourlyPrice
from costwarden.pricing.quote import Quote, Unpriced


def spot_hourly(compute: Compute, price: HourlyPrice, catalog: Catalog) -> tuple[float, str]:
    assert compute.instance_type is not None
    if price.spot_usd is not None:
        return price.spot_usd, f"spot ${price.spot_usd}/h"
    region = compute.region or ""
    discount = catalog.spot_discount_pct(compute.provider, compute.instance_type, region)
    if discount is None:
        return price.usd, "spot priced at on-demand (no spot price or typical saving known: an upper bound)"
    pct, where = discount
    said = f"spot at {where}"
    if compute.instance_type.startswith("ml."):
        said += "; SageMaker managed spot assumed to save what EC2 spot saves"
    return price.usd * (1 - pct / 100), said


def quote(compute: Compute, price: HourlyPrice, catalog: Catalog, what: str) -> Quote | Unpriced:
    """Price ``compute`` given one instance's on-demand ``price``; ``what`` names the price."""
    if compute.count is None:
        return Unpriced("instance count unknown until apply")
    on_demand_count, spot_count = compute.count, 0
    if compute.market == "spot":
        on_demand_count, spot_count = 0, compute.count
    elif compute.market == "mixed":
        spot_count = min(compute.spot_count, compute.count)
        on_demand_count = compute.count - spot_count

    parts = [what, *compute.assumptions]
    if compute.region_assumed:
        parts.append(f"region {compute.region} assumed (none declared)")
    spot_price, spot_basis = price.usd, ""
    if spot_count or (compute.instance_hours is not None and compute.market == "spot"):
        spot_price, spot_basis = spot_hourly(compute, price, catalog)
        parts.append(spot_basis)
    on_demand_usd, spot_price = price.usd * compute.share, spot_price * compute.share
    if compute.share != 1:
        parts.append(f"{compute.share:.4g} of an instance per replica")
    hourly = on_demand_count * on_demand_usd + spot_count * spot_price
    fleet = [f"{n} {label}" for n, label in ((on_demand_count, "on-demand"), (spot_count, "spot")) if n]
    parts.append(" + ".join(fleet) or "0 instances")

    unit = "instance-hours" if compute.share == 1 else "replica-hours"
    markets = [(n, label, usd) for n, label, usd in ((on_demand_count, "on-demand", on_demand_usd),
                                                      (spot_count, "spot", spot_price)) if n]  # fmt: skip
    if compute.instance_hours is not None:
        per_instance = (
            hourly / compute.count if compute.count else (spot_price if compute.market == "spot" else on_demand_usd)
        )
        monthly = per_instance * compute.instance_hours
        parts.append(f"{compute.instance_hours:g} instance-hours/month (usage file)")
        label = "+".join(m[1] for m in markets) or ("spot" if compute.market == "spot" else "on-demand")
        components = [CostComponent(f"{compute.instance_type} ({label})", compute.instance_hours, unit, per_instance)]
    elif compute.run_hours is not None:
        runs = compute.runs_per_month
        per_run = hourly * compute.run_hours
        monthly = per_run * (1 if runs is None else runs)
        parts.append(f"${per_run:,.2f} per run of at most {compute.run_hours:g} h")
        parts.append(
            "1 run/month assumed (set runs_per_month in the usage file)" if runs is None else f"{runs:g} runs/month"
        )
        hours = compute.run_hours * (1 if runs is None else runs)
        components = [
            CostComponent(f"{compute.instance_type} ({label})", n * hours, unit, usd) for n, label, usd in markets
        ]
    else:
        monthly = hourly * compute.hours_per_month
        parts.append(f"{compute.hours_per_month:g} h/month")
        components = [
            CostComponent(f"{compute.instance_type} ({label})", n * compute.hours_per_month, unit, usd)
            for n, label, usd in markets
        ]
    parts.append(f"catalog {price.source} ({'; '.join((price.as_of, *price.flags))})")
    return Quote(hourly, monthly, "; ".join(parts), tuple(components))
