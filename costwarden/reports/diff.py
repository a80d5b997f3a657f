"""``--diff-base``: a review shows only the violations a change adds, and how the monthly cost
at stake moved since the base report (a JSON report of the target branch)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from costwarden.errors import ConfigError
from costwarden.model import ScanResult


def diff_against(result: ScanResult, base: Path) -> tuple[ScanResult, float]:
    """Only the new violations, and the change in monthly cost at stake (all of it, now - base)."""
    try:
        report = json.loads(base.read_text(encoding="utf-8"))
        known = {(v["policy_id"], v["address"]) for v in report["violations"]}
        base_at_stake = float(report["summary"]["monthly_cost_at_stake"])
    except OSError as exc:
        raise ConfigError(f"cannot read the base report: {exc.strerror}", path=base) from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise ConfigError("not a costwarden JSON report (run with -o json=FILE)", path=base) from None
    new = tuple(v for v in result.violations if (v.policy_id, v.address) not in known)
    change = result.totals.monthly_cost_at_stake - base_at_stake
    return dataclasses.replace(result, violations=new), change
