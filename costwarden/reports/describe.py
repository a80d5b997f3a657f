"""What reports say about policies and violations, shared by SARIF, JUnit, Markdown, GitHub."""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from costwarden.model import PolicyInfo, ScanResult, Severity, Violation
from costwarden.reports.money import usd


def impact(violation: Violation) -> float:
    return violation.cost.monthly_impact if violation.cost else 0.0


def money_note(violation: Violation) -> str:
    if violation.cost is None:
        return "not priced"
    cost = violation.cost
    if cost.monthly_savings > 0:
        return f"{usd(cost.monthly_cost)}/month, saves {usd(cost.monthly_savings)}/month"
    if cost.expected_loss > 0:
        return f"{usd(cost.monthly_cost)}/month at stake, expected loss {usd(cost.expected_loss)}/month"
    return f"{usd(cost.monthly_cost)}/month at stake"


def ordered(violations: Iterable[Violation]) -> list[Violation]:
    """Most severe first, then most expensive."""
    return sorted(violations, key=lambda v: (-v.severity, -impact(v), v.address, v.policy_id))


def policy_of(result: ScanResult, violation: Violation) -> PolicyInfo:
    """The policy a violation names, as the result carries it (every source describes its own)."""
    found = result.policies.get(violation.policy_id)
    if found is not None:
        return found
    return PolicyInfo(violation.policy_id, violation.policy_name, violation.title, violation.severity)


@functools.lru_cache(maxsize=4096)
def relative(path: str, root: str) -> str:
    """A repository-relative POSIX path when the file is under ``root`` (resolved once per
    file: a report names the same few files thousands of times)."""
    if "\x00" in path:  # no file system holds such a name; shown as it was given
        return path
    absolute = Path(path).resolve()
    base = Path(root).resolve()
    try:
        return absolute.relative_to(base).as_posix()
    except ValueError:
        return Path(os.path.normpath(path)).as_posix()


def fingerprint(violation: Violation) -> str:
    """Stable across runs and line moves: the policy and the resource, not the line."""
    key = f"{violation.policy_id}\x00{violation.address}\x00{violation.resource_type}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
