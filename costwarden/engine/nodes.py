"""The node a Kubernetes pod will run on, chosen from its hints and priced per GPU it holds.

A named instance type is taken as it is; a family, a GPU class or a NodePool is priced at the
cheapest type per GPU that satisfies it, in the cloud the label belongs to (``nvidia.com/gpu.product``
names no cloud: ``kubernetes_cloud`` in the config says which). Each replica pays for the share
of the node its GPUs take. The basis names the label and the node chosen.
"""

from __future__ import annotations

import dataclasses

from costwarden.config import Config
from costwarden.model import Compute, Gpu, NodeHints, Resource
from costwarden.pricing.catalog import Catalog
from costwarden.pricing.gpus import GpuInstance, cheapest_per_gpu, gpu_class, gpu_instances

_SERVICES = {"aws": "ec2", "google": "gce", "azure": "azure_vm"}


def place(resource: Resource, catalog: Catalog, config: Config) -> Resource:
    if resource.compute is None or resource.compute.provider != "kubernetes" or resource.node_hints is None:
        return resource
    parts = tuple(_place(c, resource.node_hints, catalog, config) for c in (resource.compute, *resource.extra_compute))
    return dataclasses.replace(resource, compute=parts[0], extra_compute=parts[1:])


def _cloud_of(instance_type: str, catalog: Catalog) -> str | None:
    if catalog.is_ec2_type(instance_type):
        return "aws"
    if instance_type.startswith("Standard_"):
        return "azure"
    if any(t == instance_type for t, *_ in catalog.gpu_types("google")) or "-" in instance_type:
        return "google"
    return None


def _place(compute: Compute, hints: NodeHints, catalog: Catalog, config: Config) -> Compute:
    gpus = compute.gpu.count if compute.gpu else 0.0
    cloud = hints.cloud or config.kubernetes_cloud
    node: GpuInstance | None = None
    why = ""
    if hints.instance_types:
        instance_type = hints.instance_types[0]
        cloud = _cloud_of(instance_type, catalog) or cloud
        region = config.default_region(cloud) or ""
        node = next((g for g in gpu_instances(catalog, cloud, region) if g.instance_type == instance_type), None)
        if node is None:
            return dataclasses.replace(
                compute, provider=cloud, service=_SERVICES.get(cloud, "k8s"), instance_type=instance_type
            )
        why = f"node {instance_type} ({hints.source})"
    else:
        region = config.default_region(cloud) or ""
        if hints.families:
            prefixes = tuple(family + "." for family in hints.families)
            options = [g for g in gpu_instances(catalog, cloud, region) if g.instance_type.startswith(prefixes)]
            node = min(
                (g for g in options if g.gpu_count >= max(gpus, 1)),
                key=lambda g: (g.per_gpu, g.instance_type),
                default=None,
            )
            named = ", ".join(hints.families)
        else:
            found = [cheapest_per_gpu(catalog, cloud, region, label, gpus) for label in hints.gpu_classes]
            node = min((g for g in found if g), key=lambda g: (g.per_gpu, g.instance_type), default=None)
            named = ", ".join(hints.gpu_classes)
        if node is None:
            return compute
        why = f"node {node.instance_type}, the cheapest per GPU with {gpus:g} {named} GPUs ({hints.source})"
    share = min(gpus / node.gpu_count, 1.0) if node.gpu_count and gpus else 1.0
    return dataclasses.replace(
        compute,
        provider=cloud,
        service=_SERVICES[cloud],
        instance_type=node.instance_type,
        region=None,
        gpu=Gpu(node.gpu_class, gpus, node.memory_gib_per_gpu),
        share=share,
        assumptions=(why, *compute.assumptions),
    )


def gpu_label(compute: Compute) -> str | None:
    return gpu_class(compute.gpu.model) if compute.gpu else None
