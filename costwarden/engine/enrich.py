"""Fill in what a resource implies but does not say: links, GPUs, an assumed region."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from costwarden.model import Compute, Gpu, Resource
from costwarden.pricing.catalog import Catalog


def enrich(resources: Sequence[Resource], catalog: Catalog, default_region: str) -> list[Resource]:
    by_key = {resource.key: resource for resource in resources}
    return [_enrich_one(resource, by_key, catalog, default_region) for resource in resources]


def _enrich_one(
    resource: Resource, by_key: Mapping[str, Resource], catalog: Catalog, default_region: str
) -> Resource:
    compute = resource.compute
    if compute is None:
        return resource
    compute = _from_template(resource, compute, by_key)
    if compute.region is None:
        compute = dataclasses.replace(compute, region=default_region, region_assumed=True)
    if compute.gpu is None and compute.instance_type and compute.provider == "aws":
        spec = catalog.aws_gpu(compute.instance_type)
        if spec is not None:
            compute = dataclasses.replace(compute, gpu=Gpu(spec.model, spec.count, spec.memory_gib))
    return dataclasses.replace(resource, compute=compute)


def _from_template(resource: Resource, compute: Compute, by_key: Mapping[str, Resource]) -> Compute:
    """An instance type or spot market declared only on the linked launch template."""
    address = resource.links.get("launch_template")
    if address is None:
        return compute
    template = by_key.get(f"{resource.location.path}::{address}") or next(
        (r for key, r in by_key.items() if key.startswith(f"{resource.location.path}::{address}[")),
        None,
    )
    if template is None or template.compute is None:
        return compute
    if compute.instance_type is None and template.compute.instance_type is not None:
        compute = dataclasses.replace(compute, instance_type=template.compute.instance_type)
    if compute.market == "on_demand" and template.compute.market == "spot":
        compute = dataclasses.replace(compute, market="spot")
    if compute.region is None and template.compute.region is not None:
        compute = dataclasses.replace(compute, region=template.compute.region)
    return compute
