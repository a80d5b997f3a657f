"""Fill in what a resource implies but does not say: links, GPUs, an assumed region."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from costwarden.config import Config
from costwarden.engine.link import link
from costwarden.engine.nodes import place
from costwarden.model import Compute, Gpu, Resource
from costwarden.pricing.catalog import Catalog, GpuSpec


def enrich(resources: Sequence[Resource], catalog: Catalog, config: Config) -> list[Resource]:
    linked = [place(resource, catalog, config) for resource in link(resources)]
    by_key = {resource.key: resource for resource in linked}
    return [_enrich_one(resource, by_key, catalog, config) for resource in linked]


def _enrich_one(resource: Resource, by_key: Mapping[str, Resource], catalog: Catalog, config: Config) -> Resource:
    resource = _declared_model_memory(resource)
    if resource.compute is None:
        return resource
    compute = _complete(_from_template(resource, resource.compute, by_key), catalog, config)
    extra = tuple(_complete(c, catalog, config) for c in resource.extra_compute)
    before = tuple(_complete(c, catalog, config) for c in resource.compute_before)
    if compute is resource.compute and extra == resource.extra_compute and before == resource.compute_before:
        return resource
    return dataclasses.replace(resource, compute=compute, extra_compute=extra, compute_before=before)


MODEL_MEMORY_TAGS = ("costwarden:model-memory-gib", "costwarden.io/model-memory-gib")


def _declared_model_memory(resource: Resource) -> Resource:
    """A tag or label ``costwarden:model-memory-gib`` declares the model's GPU memory."""
    if resource.model_memory_gib is not None:
        return resource
    for key in MODEL_MEMORY_TAGS:
        try:
            return dataclasses.replace(resource, model_memory_gib=float(resource.tags[key] or ""))
        except (KeyError, ValueError):
            continue
    return resource


def _complete(compute: Compute, catalog: Catalog, config: Config) -> Compute:
    """An assumed region where none was declared; the GPUs an instance type comes with."""
    changes: dict[str, Any] = {}
    if compute.region is None:
        region = config.default_region(compute.provider)
        if region is not None:
            changes.update(region=region, region_assumed=True)
    if compute.gpu is None and compute.instance_type:
        spec = _gpus(compute, catalog)
        if spec is not None:
            changes["gpu"] = Gpu(spec.model, spec.count, spec.memory_gib)
    return dataclasses.replace(compute, **changes) if changes else compute


def _gpus(compute: Compute, catalog: Catalog) -> GpuSpec | None:
    assert compute.instance_type is not None
    if compute.provider == "aws":
        return catalog.aws_gpu(compute.instance_type)
    if compute.provider == "google":
        return catalog.gce_bundled_gpus(compute.instance_type)
    if compute.provider == "azure":
        return catalog.azure_gpu(compute.instance_type)
    return None


def _linked(resource: Resource, role: str, by_key: Mapping[str, Resource]) -> Resource | None:
    address = resource.links.get(role)
    if address is None:
        return None
    prefix = f"{resource.document or resource.location.path}::{address}"
    return by_key.get(prefix) or next((r for k, r in by_key.items() if k.startswith(prefix + "[")), None)


def _from_template(resource: Resource, compute: Compute, by_key: Mapping[str, Resource]) -> Compute:
    """An instance type or spot market declared only on the linked launch template; the
    region of the cluster a node pool belongs to."""
    cluster = _linked(resource, "cluster", by_key)
    if compute.region is None and cluster is not None and cluster.compute is not None:
        compute = dataclasses.replace(compute, region=cluster.compute.region)
    template = _linked(resource, "launch_template", by_key)
    if template is None or template.compute is None:
        return compute
    if compute.instance_type is None and template.compute.instance_type is not None:
        compute = dataclasses.replace(compute, instance_type=template.compute.instance_type)
    if compute.market == "on_demand" and template.compute.market == "spot":
        compute = dataclasses.replace(compute, market="spot")
    if compute.region is None and template.compute.region is not None:
        compute = dataclasses.replace(compute, region=template.compute.region)
    return compute
