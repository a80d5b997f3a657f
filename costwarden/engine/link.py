"""Autoscalers onto what they scale; Karpenter NodePools onto the pods that select them.

Targets are found by address in the same file first, then in any file of the scan (an HPA
often lives apart from its Deployment). An endpoint's bounds also reach the endpoint
configuration it runs, which is what carries the price.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence

from costwarden.loaders.values import as_dict, as_list, as_str
from costwarden.model import Compute, NodeHints, Resource, Scaling


def link(resources: Sequence[Resource]) -> list[Resource]:
    by_key = {r.key: r for r in resources}
    by_address: dict[str, list[Resource]] = defaultdict(list)
    for resource in resources:
        by_address[resource.address].append(resource)
    endpoints_by_name = {
        str(r.attributes.get("name")): r
        for r in resources
        if r.type == "aws_sagemaker_endpoint" and r.attributes.get("name")
    }
    scaled: dict[str, tuple[Resource, Scaling]] = {}
    for autoscaler in resources:
        if autoscaler.category != "autoscaler" or autoscaler.scaling is None:
            continue
        target = _find(autoscaler, "scale_target", by_key, by_address)
        if target is None and (name := autoscaler.links.get("scale_target_name")):
            target = endpoints_by_name.get(name)
        if target is None:
            continue
        for reached in (target, _find(target, "endpoint_configuration", by_key, by_address)):
            if reached is not None:
                scaled[reached.key] = (autoscaler, autoscaler.scaling)
    pools = {str(as_dict(r.attributes.get("metadata")).get("name")): r for r in resources if r.type == "NodePool"}
    return [_apply(r, scaled.get(r.key), pools) for r in resources]


def _find(
    resource: Resource, role: str, by_key: dict[str, Resource], by_address: dict[str, list[Resource]]
) -> Resource | None:
    address = resource.links.get(role)
    if address is None:
        return None
    same_file = by_key.get(f"{resource.document or resource.location.path}::{address}")
    if same_file is not None:
        return same_file
    elsewhere = by_address.get(address, [])
    return elsewhere[0] if elsewhere else None


def _apply(resource: Resource, scaled: tuple[Resource, Scaling] | None, pools: dict[str, Resource]) -> Resource:
    if scaled is not None:
        autoscaler, bounds = scaled
        desired = resource.compute.count if resource.compute else None
        scaling = dataclasses.replace(bounds, desired=desired)
        links = {**resource.links, "autoscaler": autoscaler.address}
        compute = resource.compute
        if compute is not None and bounds.min is not None and (compute.count or 0) < bounds.min:
            note = f"{bounds.min} replicas, the autoscaler's minimum"
            compute = dataclasses.replace(compute, count=bounds.min, assumptions=(*compute.assumptions, note))
        resource = dataclasses.replace(resource, scaling=scaling, links=links, compute=compute)
    hints = resource.node_hints
    if hints is not None and hints.node_pool is not None and hints.node_pool in pools:
        resource = dataclasses.replace(
            resource,
            node_hints=_from_pool(hints, pools[hints.node_pool]),
            compute=_pool_market(resource, pools[hints.node_pool]),
        )
    return resource


def _requirements(pool: Resource) -> dict[str, list[str]]:
    spec = as_dict(as_dict(as_dict(pool.attributes.get("spec")).get("template")).get("spec"))
    found: dict[str, list[str]] = {}
    for requirement in as_list(spec.get("requirements")):
        requirement = as_dict(requirement)
        key = as_str(requirement.get("key"))
        if key and requirement.get("operator") == "In":
            found[key] = [str(v) for v in as_list(requirement.get("values"))]
    return found


def _from_pool(hints: NodeHints, pool: Resource) -> NodeHints:
    wanted = _requirements(pool)
    source = f"NodePool {hints.node_pool}"
    if wanted.get("node.kubernetes.io/instance-type"):
        return NodeHints(instance_types=tuple(wanted["node.kubernetes.io/instance-type"]), cloud="aws", source=source)
    if wanted.get("karpenter.k8s.aws/instance-family"):
        return NodeHints(families=tuple(wanted["karpenter.k8s.aws/instance-family"]), cloud="aws", source=source)
    return hints


def _pool_market(resource: Resource, pool: Resource) -> Compute | None:
    capacity = _requirements(pool).get("karpenter.sh/capacity-type", [])
    compute = resource.compute
    if compute is None or "spot" not in capacity:
        return compute
    note = "spot: the NodePool allows it and Karpenter launches spot first" if len(capacity) > 1 else "spot NodePool"
    return dataclasses.replace(compute, market="spot", assumptions=(*compute.assumptions, note))
