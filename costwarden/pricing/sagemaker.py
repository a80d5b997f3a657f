"""Amazon SageMaker: endpoint variants (hosting), training jobs, notebook instances.

The price is the catalog's ML instance price for the component when it has one; otherwise the
EC2 price of the same type times the SageMaker markup observed for that family and component
(or the family it is a variant of, or the median of its class for the component), flagged
"derived" in the basis, and "markup assumed" when no price of the component was ever observed
(notebook and processing). Listed prices known to be outdated (ml.p4d, ml.p5) are not used and
the basis says why. Serverless variants have no idle cost.
"""

from __future__ import annotations

from costwarden.model import Compute
from costwarden.pricing import fleet
from costwarden.pricing.catalog import Catalog, HourlyPrice
from costwarden.pricing.quote import Quote, Unpriced

COMPONENTS = {"training": "training", "inference": "hosting", "notebook": "notebook", "batch": "hosting"}


def price(compute: Compute, catalog: Catalog) -> Quote | Unpriced:
    if compute.instance_type is None:
        return Unpriced("ML instance type not in the plan (known at apply, or set outside it)")
    if not compute.instance_type.startswith("ml."):
        return Unpriced(f"{compute.instance_type!r} is not a SageMaker ML instance type (ml.*)")
    component = COMPONENTS.get(compute.workload or "inference", "hosting")
    region = compute.region or ""
    listed = catalog.sagemaker(region, compute.instance_type, component)
    if listed is not None:
        what = f"{compute.instance_type} ${listed.usd}/h SageMaker {component} in {region}"
        return fleet.quote(compute, listed, catalog, what)
    ec2_type = compute.instance_type.removeprefix("ml.")
    ec2 = catalog.ec2_on_demand(region, ec2_type)
    if ec2 is None:
        return Unpriced(f"no SageMaker or EC2 price for {compute.instance_type} in {region or 'an unknown region'}")
    ratio, why, assumed = catalog.sagemaker_markup(compute.instance_type, component)
    flags = ("derived", *(("markup assumed",) if assumed else ()), *ec2.flags)
    derived = HourlyPrice(round(ec2.usd * ratio, 6), ec2.source, ec2.as_of, flags=flags)
    what = (
        f"{compute.instance_type} ${derived.usd}/h SageMaker {component} in {region}, derived: "
        f"EC2 {ec2_type} ${ec2.usd}/h x markup {ratio:g} ({why})"
    )
    superseded = catalog.sagemaker_superseded(region, compute.instance_type, component)
    if superseded:
        what += f"; not {superseded}"
    return fleet.quote(compute, derived, catalog, what)


def price_serverless(compute: Compute, catalog: Catalog) -> Quote | Unpriced:
    return Quote(0.0, 0.0, "serverless inference: billed per request and compute-second, no idle cost")
