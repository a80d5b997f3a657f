"""Azure virtual machines, scale sets and AKS node pools (Linux pay-as-you-go and spot)."""

from __future__ import annotations

from costwarden.model import Compute
from costwarden.pricing import fleet
from costwarden.pricing.catalog import Catalog
from costwarden.pricing.quote import Quote, Unpriced


def price(compute: Compute, catalog: Catalog) -> Quote | Unpriced:
    if compute.instance_type is None:
        return Unpriced("VM size not in the plan (known at apply, or set outside it)")
    region = compute.region or ""
    vm = catalog.azure_vm(region, compute.instance_type)
    if vm is None:
        return Unpriced(f"no Azure price for {compute.instance_type} in {region or 'an unknown region'}")
    return fleet.quote(compute, vm, catalog, f"{compute.instance_type} ${vm.usd}/h in {region}")
