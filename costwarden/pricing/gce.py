"""Google Compute Engine: instances, instance templates and GKE node pools.

A2, A3, G2 and G4 machine types include their GPUs in the machine price; N1 machines pay for
each attached ``guest_accelerator`` on top. Spot (and legacy preemptible) use the catalog's
spot prices for both.
"""

from __future__ import annotations

from costwarden.model import Compute
from costwarden.pricing import fleet
from costwarden.pricing.catalog import Catalog, HourlyPrice
from costwarden.pricing.quote import Quote, Unpriced


def price(compute: Compute, catalog: Catalog) -> Quote | Unpriced:
    if compute.instance_type is None:
        return Unpriced("machine type not in the plan (known at apply, or set outside it)")
    region = compute.region or ""
    machine = catalog.gce_machine(region, compute.instance_type)
    if machine is None:
        return Unpriced(f"no GCE price for machine type {compute.instance_type} in {region or 'an unknown region'}")
    usd, spot, what = machine.usd, machine.spot_usd, f"{compute.instance_type} ${machine.usd}/h in {region}"
    flags: tuple[str, ...] = ()
    bundled = catalog.gce_bundled_gpus(compute.instance_type)
    if compute.gpu is not None and compute.gpu.count and bundled is None:
        accelerator = catalog.gce_accelerator(region, compute.gpu.model)
        if accelerator is None:
            return Unpriced(f"no GCE price for accelerator {compute.gpu.model} in {region}")
        usd += compute.gpu.count * accelerator.usd
        if spot is not None and accelerator.spot_usd is not None:
            spot += compute.gpu.count * accelerator.spot_usd
        else:
            spot = None
        what += f" + {compute.gpu.count:g} x {compute.gpu.model} ${accelerator.usd}/h"
        if (accelerator.source, accelerator.as_of) != (machine.source, machine.as_of):
            what += f" (catalog {accelerator.source}, {accelerator.as_of})"
        flags = accelerator.flags
    elif bundled is not None:
        what += f" (includes {bundled.count:g} x {bundled.model})"
    combined = HourlyPrice(usd, machine.source, machine.as_of, spot, machine.flags + flags)
    return fleet.quote(compute, combined, catalog, what)
