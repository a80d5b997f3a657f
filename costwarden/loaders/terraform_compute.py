"""What a planned Terraform resource runs: its ``Compute``, ``Scaling`` and links.

One function per resource type, in ``BUILDERS``. Values unknown until apply stay ``None``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from costwarden.loaders.plan_config import PlanConfiguration
from costwarden.loaders.values import as_dict, as_int, as_list, as_str, first, is_unknown
from costwarden.model import Category, Compute, Gpu, Market, Scaling

EKS_DEFAULT_INSTANCE_TYPE = "t3.medium"


@dataclass(frozen=True)
class Planned:
    """A resource change as the builders see it."""

    type: str
    after: Mapping[str, Any]
    after_unknown: Any
    region: str | None
    expressions: Mapping[str, Any]
    module_address: str | None
    configuration: PlanConfiguration

    def known(self, *path: str | int) -> Any:
        """The value at ``path`` in ``after``, or ``None`` when absent or unknown."""
        if is_unknown(self.after_unknown, *path):
            return None
        node: Any = self.after
        for step in path:
            if isinstance(step, int):
                items = as_list(node)
                node = items[step] if step < len(items) else None
            else:
                node = as_dict(node).get(step)
        return node

    def unknown(self, *path: str | int) -> bool:
        return is_unknown(self.after_unknown, *path)

    def reference(self, resource_type: str, *path: str | int) -> str | None:
        node: Any = self.expressions
        for step in path:
            node = first(node) if isinstance(step, int) else as_dict(node).get(step)
        return self.configuration.referenced(node, resource_type, self.module_address)

    def referenced_config(self, resource_type: str, *path: str | int) -> Mapping[str, Any]:
        """The configuration expressions of the ``resource_type`` resource an attribute refers to."""
        address = self.reference(resource_type, *path)
        if address is None:
            return {}
        local = ".".join(address.split(".")[-2:])
        return as_dict(self.configuration.resource(self.module_address, local).get("expressions"))

    def compute(self, instance_type: str | None, **changes: Any) -> Compute:
        settings: dict[str, Any] = {"provider": self.provider, "region": self.region}
        settings.update(changes)
        return Compute(instance_type=instance_type, **settings)

    @property
    def provider(self) -> str:
        return {"google": "google", "azurerm": "azure"}.get(self.type.split("_")[0], "aws")


@dataclass(frozen=True)
class Built:
    category: Category
    compute: Compute | None = None
    scaling: Scaling | None = None
    links: Mapping[str, str] = field(default_factory=dict)
    extra_compute: tuple[Compute, ...] = ()


def _launch_template_links(planned: Planned, *path: str | int) -> dict[str, str]:
    for attribute in ("id", "name", "launch_template_id", "launch_template_name"):
        address = planned.reference("aws_launch_template", *path, attribute)
        if address:
            return {"launch_template": address}
    return {}


def _market(planned: Planned) -> Market:
    options = first(planned.after.get("instance_market_options"))
    if options:
        market_type = planned.known("instance_market_options", 0, "market_type")
        if market_type in (None, "spot"):
            return "spot"
    if planned.known("instance_lifecycle") == "spot":
        return "spot"
    return "on_demand"


def aws_instance(planned: Planned) -> Built:
    links = _launch_template_links(planned, "launch_template", 0)
    return Built(
        "compute_instance",
        planned.compute(as_str(planned.known("instance_type")), market=_market(planned)),
        links=links,
    )


def aws_launch_template(planned: Planned) -> Built:
    compute = planned.compute(as_str(planned.known("instance_type")), count=0, market=_market(planned))
    return Built("launch_template", compute)


def aws_launch_configuration(planned: Planned) -> Built:
    spot = planned.known("spot_price") or "spot_price" in planned.expressions
    market: Market = "spot" if spot else "on_demand"
    compute = planned.compute(as_str(planned.known("instance_type")), count=0, market=market)
    return Built("launch_template", compute)


def aws_autoscaling_group(planned: Planned) -> Built:
    minimum = as_int(planned.known("min_size"))
    maximum = as_int(planned.known("max_size"))
    desired = as_int(planned.known("desired_capacity"))
    if desired is None and "desired_capacity" not in planned.expressions:
        desired = minimum  # AWS starts a group without desired_capacity at min_size
    scaling = Scaling(min=minimum, max=maximum, desired=desired, scale_to_zero=minimum == 0)

    mixed = first(planned.after.get("mixed_instances_policy"))
    if not mixed:
        links = _launch_template_links(planned, "launch_template", 0)
        configuration = planned.reference("aws_launch_configuration", "launch_configuration")
        if configuration:
            links["launch_template"] = configuration
        return Built("node_pool", planned.compute(None, count=desired), scaling, links)

    distribution = first(mixed.get("instances_distribution"))
    base = as_int(distribution.get("on_demand_base_capacity")) or 0
    percentage = as_int(distribution.get("on_demand_percentage_above_base_capacity"))
    percentage = 100 if percentage is None else percentage
    template = first(mixed.get("launch_template"))
    overrides = [as_str(as_dict(o).get("instance_type")) for o in as_list(template.get("override"))]
    listed = [t for t in overrides if t]
    instance_type = listed[0] if listed else None
    links = _launch_template_links(
        planned,
        "mixed_instances_policy",
        0,
        "launch_template",
        0,
        "launch_template_specification",
        0,
    )
    market: Market = "on_demand"
    spot = 0
    if desired is not None:
        on_demand = min(desired, base) + math.ceil(max(desired - base, 0) * percentage / 100)
        spot = desired - on_demand
        market = "spot" if on_demand == 0 and spot else "mixed" if spot else "on_demand"
    elif percentage < 100:
        market = "mixed"
    choice = _several(listed, "the first override: the group's On-Demand capacity follows the overrides' order")
    compute = planned.compute(instance_type, count=desired, market=market, spot_count=spot, **choice)
    return Built("node_pool", compute, scaling, links)


def _several(types: list[str], why: str) -> dict[str, Any]:
    """For a fleet of several instance types: the others, and which one the figure uses and why."""
    if len(types) < 2:
        return {}
    return {"alternatives": tuple(types[1:]), "assumptions": (f"priced as {types[0]}, {why}",)}


def aws_eks_node_group(planned: Planned) -> Built:
    minimum = as_int(planned.known("scaling_config", 0, "min_size"))
    scaling = Scaling(
        min=minimum,
        max=as_int(planned.known("scaling_config", 0, "max_size")),
        desired=as_int(planned.known("scaling_config", 0, "desired_size")),
        scale_to_zero=minimum == 0,
    )
    links = _launch_template_links(planned, "launch_template", 0)
    types = planned.known("instance_types")
    instance_type: str | None = None
    listed = [t for t in (as_str(item) for item in as_list(types)) if t]
    if listed:
        instance_type = listed[0]
    elif not planned.unknown("instance_types") and not links:
        instance_type = EKS_DEFAULT_INSTANCE_TYPE
    market: Market = "spot" if planned.known("capacity_type") == "SPOT" else "on_demand"
    why = (
        "the first listed: Spot capacity is chosen among all of them by price and capacity"
        if market == "spot"
        else "the first listed: EKS launches On-Demand capacity in the listed order"
    )
    compute = planned.compute(instance_type, count=scaling.desired, market=market, **_several(listed, why))
    return Built("node_pool", compute, scaling, links)


# Google Cloud


def _gce_accelerator(planned: Planned, *path: str | int) -> Gpu | None:
    accelerator = as_dict(planned.known(*path, "guest_accelerator", 0))
    kind, count = as_str(accelerator.get("type")), as_int(accelerator.get("count"))
    if not kind or not count:
        return None
    return Gpu(kind.rsplit("/", 1)[-1], count)  # may be a full acceleratorTypes/... URL


def _gce_market(planned: Planned, scheduling: Mapping[str, Any]) -> Market:
    if scheduling.get("provisioning_model") == "SPOT" or scheduling.get("preemptible") is True:
        return "spot"
    if scheduling.get("spot") is True:
        return "spot"
    return "on_demand"


def google_compute_instance(planned: Planned) -> Built:
    compute = planned.compute(
        as_str(planned.known("machine_type")),
        service="gce",
        gpu=_gce_accelerator(planned),
        market=_gce_market(planned, first(planned.after.get("scheduling"))),
    )
    return Built("compute_instance", compute)


def google_compute_instance_template(planned: Planned) -> Built:
    built = google_compute_instance(planned)
    assert built.compute is not None
    return Built("launch_template", dataclasses.replace(built.compute, count=0))


GKE_DEFAULT_MACHINE = "e2-medium"
GKE_REGIONAL_ZONES = 3


def google_container_node_pool(planned: Planned) -> Built:
    node = first(planned.after.get("node_config"))
    machine = as_str(planned.known("node_config", 0, "machine_type"))
    assumptions: list[str] = []
    if machine is None and not planned.unknown("node_config") and not node.get("machine_type"):
        machine = GKE_DEFAULT_MACHINE
        assumptions.append(f"machine type {GKE_DEFAULT_MACHINE} (GKE's default)")
    autoscaling = first(planned.after.get("autoscaling"))
    per_zone = as_int(planned.known("node_count"))
    if per_zone is None and not planned.unknown("node_count"):
        per_zone = as_int(planned.known("initial_node_count"))
    zones = _gke_zones(planned, assumptions)
    count = None if per_zone is None or zones is None else per_zone * zones
    region = planned.region
    if not planned.known("location"):
        cluster_location = planned.configuration.evaluate(
            planned.referenced_config("google_container_cluster", "cluster").get("location")
        )
        if isinstance(cluster_location, str):
            region = _gcp_region(cluster_location)
    minimum = as_int(autoscaling.get("total_min_node_count"))
    if minimum is None and (zonal_min := as_int(autoscaling.get("min_node_count"))) is not None and zones:
        minimum = zonal_min * zones
    maximum = as_int(autoscaling.get("total_max_node_count"))
    if maximum is None and (zonal_max := as_int(autoscaling.get("max_node_count"))) is not None and zones:
        maximum = zonal_max * zones
    scaling = Scaling(min=minimum, max=maximum, desired=count, scale_to_zero=minimum == 0)
    compute = planned.compute(
        machine,
        count=count,
        region=region,
        service="gce",
        gpu=_gce_accelerator(planned, "node_config", 0),
        market=_gce_market(planned, node),
        assumptions=tuple(assumptions),
    )
    return Built("node_pool", compute, scaling)


def _gke_zones(planned: Planned, assumptions: list[str]) -> int | None:
    """GKE's node_count is per zone: a pool runs it in each of its zones, which are its own
    ``node_locations``, else its cluster's (``node_locations``, or the one zone of a zonal
    cluster), else a regional cluster's default three."""
    locations = planned.known("node_locations")
    if isinstance(locations, list) and locations:
        return len(locations)
    if planned.unknown("node_locations"):
        return None
    location = as_str(planned.known("location"))
    if location is None:  # not set on the pool (or computed): the cluster's says where it runs
        cluster = planned.referenced_config("google_container_cluster", "cluster")
        cluster_zones = planned.configuration.evaluate(cluster.get("node_locations"))
        if isinstance(cluster_zones, list) and cluster_zones:
            assumptions.append(f"the cluster's {len(cluster_zones)} node_locations")
            return len(cluster_zones)
        cluster_location = planned.configuration.evaluate(cluster.get("location"))
        location = cluster_location if isinstance(cluster_location, str) else None
    if (location or "").count("-") >= 2:  # a zone such as us-central1-a: a zonal cluster
        return 1
    assumptions.append(f"node_count x {GKE_REGIONAL_ZONES} zones (a regional pool's default)")
    return GKE_REGIONAL_ZONES


def _gcp_region(location: str) -> str:
    """``us-central1-a`` -> ``us-central1``; a region stays as it is."""
    return location.rsplit("-", 1)[0] if location.count("-") >= 2 else location


# Azure


def _azure_market(planned: Planned) -> Market:
    return "spot" if planned.known("priority") == "Spot" else "on_demand"


def _azure_assumptions(planned: Planned) -> tuple[str, ...]:
    if "windows" in planned.type:
        return ("priced as Linux: the Windows licence is not included",)
    return ()


def azurerm_virtual_machine(planned: Planned) -> Built:
    size = as_str(planned.known("size")) or as_str(planned.known("vm_size"))
    compute = planned.compute(
        size, service="azure_vm", market=_azure_market(planned), assumptions=_azure_assumptions(planned)
    )
    return Built("compute_instance", compute)


def azurerm_scale_set(planned: Planned) -> Built:
    instances = as_int(planned.known("instances"))
    compute = planned.compute(
        as_str(planned.known("sku")),
        count=instances,
        service="azure_vm",
        market=_azure_market(planned),
        assumptions=_azure_assumptions(planned),
    )
    return Built("node_pool", compute, Scaling(desired=instances))


def _aks_pool(planned: Planned, *path: str | int) -> tuple[Compute, Scaling]:
    pool = as_dict(planned.known(*path)) if path else planned.after
    autoscaled = pool.get("auto_scaling_enabled") is True or pool.get("enable_auto_scaling") is True
    minimum, maximum = as_int(pool.get("min_count")), as_int(pool.get("max_count"))
    count = as_int(pool.get("node_count"))
    assumptions: tuple[str, ...] = ()
    if count is None and autoscaled and minimum is not None:
        count, assumptions = minimum, (f"{minimum} nodes, the autoscaler's minimum",)
    market: Market = "spot" if pool.get("priority") == "Spot" else "on_demand"
    compute = planned.compute(
        as_str(pool.get("vm_size")), count=count, service="azure_vm", market=market, assumptions=assumptions
    )
    scaling = Scaling(min=minimum, max=maximum, desired=count, scale_to_zero=minimum == 0)
    return compute, scaling


def azurerm_kubernetes_cluster(planned: Planned) -> Built:
    compute, scaling = _aks_pool(planned, "default_node_pool", 0)
    return Built("node_pool", compute, scaling)


def azurerm_kubernetes_cluster_node_pool(planned: Planned) -> Built:
    compute, scaling = _aks_pool(planned)
    cluster = planned.reference("azurerm_kubernetes_cluster", "kubernetes_cluster_id")
    return Built("node_pool", compute, scaling, {"cluster": cluster} if cluster else {})


# Amazon SageMaker


def _variant(planned: Planned, path: tuple[str | int, ...]) -> Compute:
    variant = as_dict(planned.known(*path))
    if first(variant.get("serverless_config")):
        return planned.compute(None, count=0, service="sagemaker_serverless", workload="inference")
    return planned.compute(
        as_str(variant.get("instance_type")),
        count=as_int(variant.get("initial_instance_count")),
        service="sagemaker",
        workload="inference",
    )


def aws_sagemaker_endpoint_configuration(planned: Planned) -> Built:
    computes = [
        _variant(planned, (block, index))
        for block in ("production_variants", "shadow_production_variants")
        for index in range(len(as_list(planned.after.get(block))))
    ]
    if not computes:
        return Built("inference_endpoint")
    scaling_block = as_dict(planned.known("production_variants", 0, "managed_instance_scaling", 0))
    scaling = None
    if scaling_block.get("status") == "ENABLED":
        minimum = as_int(scaling_block.get("min_instance_count"))
        scaling = Scaling(
            min=minimum,
            max=as_int(scaling_block.get("max_instance_count")),
            desired=computes[0].count,
            scale_to_zero=minimum == 0,
        )
    return Built("inference_endpoint", computes[0], scaling, extra_compute=tuple(computes[1:]))


def aws_sagemaker_endpoint(planned: Planned) -> Built:
    config = planned.reference("aws_sagemaker_endpoint_configuration", "endpoint_config_name")
    return Built("inference_endpoint", links={"endpoint_configuration": config} if config else {})


def aws_sagemaker_notebook_instance(planned: Planned) -> Built:
    compute = planned.compute(as_str(planned.known("instance_type")), service="sagemaker", workload="notebook")
    return Built("notebook", compute)


def aws_appautoscaling_target(planned: Planned) -> Built:
    """Application Auto Scaling bounds for a SageMaker variant (``endpoint/NAME/variant/V``)."""
    if planned.known("service_namespace") not in ("sagemaker", None):
        return Built("other")
    minimum = as_int(planned.known("min_capacity"))
    scaling = Scaling(min=minimum, max=as_int(planned.known("max_capacity")), scale_to_zero=minimum == 0)
    links: dict[str, str] = {}
    endpoint = planned.reference("aws_sagemaker_endpoint", "resource_id")
    if endpoint:
        links["scale_target"] = endpoint
    resource_id = as_str(planned.known("resource_id")) or ""
    if resource_id.startswith("endpoint/"):
        links["scale_target_name"] = resource_id.split("/")[1]
    return Built("autoscaler", scaling=scaling, links=links)


BUILDERS: dict[str, Callable[[Planned], Built]] = {
    "aws_instance": aws_instance,
    "aws_launch_template": aws_launch_template,
    "aws_launch_configuration": aws_launch_configuration,
    "aws_autoscaling_group": aws_autoscaling_group,
    "aws_eks_node_group": aws_eks_node_group,
    "aws_sagemaker_endpoint_configuration": aws_sagemaker_endpoint_configuration,
    "aws_sagemaker_endpoint": aws_sagemaker_endpoint,
    "aws_sagemaker_notebook_instance": aws_sagemaker_notebook_instance,
    "aws_appautoscaling_target": aws_appautoscaling_target,
    "google_compute_instance": google_compute_instance,
    "google_compute_instance_template": google_compute_instance_template,
    "google_compute_region_instance_template": google_compute_instance_template,
    "google_container_node_pool": google_container_node_pool,
    "azurerm_linux_virtual_machine": azurerm_virtual_machine,
    "azurerm_windows_virtual_machine": azurerm_virtual_machine,
    "azurerm_virtual_machine": azurerm_virtual_machine,
    "azurerm_linux_virtual_machine_scale_set": azurerm_scale_set,
    "azurerm_windows_virtual_machine_scale_set": azurerm_scale_set,
    "azurerm_orchestrated_virtual_machine_scale_set": azurerm_scale_set,
    "azurerm_kubernetes_cluster": azurerm_kubernetes_cluster,
    "azurerm_kubernetes_cluster_node_pool": azurerm_kubernetes_cluster_node_pool,
}


def build(planned: Planned) -> Built:
    builder = BUILDERS.get(planned.type)
    return builder(planned) if builder else Built("other")
