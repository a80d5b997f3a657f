"""Amazon EC2: instances, launch templates, Auto Scaling groups and EKS node groups."""

from __future__ import annotations

from costwarden.model import Compute
from costwarden.pricing import fleet
from costwarden.pricing.catalog import Catalog
from costwarden.pricing.quote import Quote, Unpriced


def price(compute: Compute, catalog: Catalog) -> Quote | Unpriced:
    if compute.instance_type is None:
        return Unpriced("instance type not in the plan (known at apply, or set outside the plan)")
    region = compute.region or ""
    on_demand = catalog.ec2_on_demand(region, compute.instance_type)
    if on_demand is None:
        elsewhere = catalog.ec2_regions(compute.instance_type)
        if not elsewhere:
            return Unpriced(f"{compute.instance_type!r} is not an EC2 instance type in the catalog")
        return Unpriced(
            f"no EC2 price for {compute.instance_type} in {region or 'an unknown region'}; "
            f"priced in {', '.join(elsewhere)}"
        )
    what = f"{compute.instance_type} ${on_demand.usd}/h on-demand in {region}"
    return fleet.quote(compute, on_demand, catalog, what)
