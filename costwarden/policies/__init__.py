"""Built-in Python policies, one module each, listed explicitly in ``BUILTIN``."""

from __future__ import annotations

from costwarden.policies.base import Context, Finding, Inconclusive, Policy, policy
from costwarden.policies.cw101_missing_cost_allocation_tags import missing_cost_allocation_tags
from costwarden.policies.cw102_invalid_tag_value import invalid_tag_value

BUILTIN: tuple[Policy, ...] = (
    missing_cost_allocation_tags,
    invalid_tag_value,
)

__all__ = ["BUILTIN", "Context", "Finding", "Inconclusive", "Policy", "policy"]
