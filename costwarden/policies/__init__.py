"""Built-in Python policies, one module each, listed explicitly in ``BUILTIN``."""

from __future__ import annotations

from costwarden.policies.base import Context, Finding, Inconclusive, Policy, policy
from costwarden.policies.cw101_missing_cost_allocation_tags import missing_cost_allocation_tags
from costwarden.policies.cw102_invalid_tag_value import invalid_tag_value
from costwarden.policies.cw201_gpu_underutilized import gpu_underutilized
from costwarden.policies.cw202_gpu_training_class_for_inference import gpu_training_class_for_inference
from costwarden.policies.cw301_training_on_demand import training_on_demand
from costwarden.policies.cw302_spot_without_checkpoint import spot_without_checkpoint
from costwarden.policies.cw303_spot_wait_too_short import spot_wait_too_short
from costwarden.policies.cw401_inference_always_on import inference_always_on
from costwarden.policies.cw402_inference_without_autoscaling import inference_without_autoscaling
from costwarden.policies.cw501_cost_per_inference_over_budget import cost_per_inference_over_budget

BUILTIN: tuple[Policy, ...] = (
    missing_cost_allocation_tags,
    invalid_tag_value,
    gpu_underutilized,
    gpu_training_class_for_inference,
    training_on_demand,
    spot_without_checkpoint,
    spot_wait_too_short,
    inference_always_on,
    inference_without_autoscaling,
    cost_per_inference_over_budget,
)

__all__ = ["BUILTIN", "Context", "Finding", "Inconclusive", "Policy", "policy"]
