"""What a planned Terraform resource runs: its ``Compute``, ``Scaling`` and links.

One function per resource type, in ``BUILDERS``. Values unknown until apply stay ``None``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from costwarden.loaders.plan_config import PlanConfiguration
from costwarden.loaders.values import as_dict, as_int, as_list, as_str, first, is_unknown
from costwarden.model import Category, Compute, Market, Scaling

EKS_DEFAULT_INSTANCE_TYPE = "t3.medium"


@dataclass(frozen=True)
class Planned:
    """A resource change as the builders see it."""

    type: str
    after: Mapping[str, Any]
    after_unknown: Any
    region: str | None
    region_assumed: bool
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

    def compute(self, instance_type: str | None, **changes: Any) -> Compute:
        return Compute(
            provider="aws",
            instance_type=instance_type,
            region=self.region,
            region_assumed=self.region_assumed,
            **changes,
        )


@dataclass(frozen=True)
class Built:
    category: Category
    compute: Compute | None = None
    scaling: Scaling | None = None
    links: Mapping[str, str] = field(default_factory=dict)


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
    compute = planned.compute(
        as_str(planned.known("instance_type")), count=0, market=_market(planned)
    )
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
    instance_type = next((t for t in overrides if t), None)
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
    compute = planned.compute(instance_type, count=desired, market=market, spot_count=spot)
    return Built("node_pool", compute, scaling, links)


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
    if isinstance(types, list) and types:
        instance_type = as_str(types[0])
    elif not planned.unknown("instance_types") and not links:
        instance_type = EKS_DEFAULT_INSTANCE_TYPE
    market: Market = "spot" if planned.known("capacity_type") == "SPOT" else "on_demand"
    compute = planned.compute(instance_type, count=scaling.desired, market=market)
    return Built("node_pool", compute, scaling, links)


BUILDERS: dict[str, Callable[[Planned], Built]] = {
    "aws_instance": aws_instance,
    "aws_launch_template": aws_launch_template,
    "aws_launch_configuration": aws_launch_configuration,
    "aws_autoscaling_group": aws_autoscaling_group,
    "aws_eks_node_group": aws_eks_node_group,
}


def build(planned: Planned) -> Built:
    builder = BUILDERS.get(planned.type)
    return builder(planned) if builder else Built("other")
