"""The machine-readable report. Its shape is ``json-report.schema.json``, versioned by
``schema_version``: a new optional field is a minor bump, anything else a major one."""

from __future__ import annotations

from typing import Any, TextIO

from costwarden import jsonio
from costwarden._version import __version__
from costwarden.model import CostImpact, Problem, Remedy, ScanResult, Suppression, Violation
from costwarden.reports.options import ReportOptions

SCHEMA_VERSION = "2.0"
"""1.1: ``coverage`` (what was read, priced and not evaluated) and ``fail_on_unevaluated``."""


def render(result: ScanResult, stream: TextIO, options: ReportOptions) -> None:
    jsonio.write(report(result, options), stream)


def report(result: ScanResult, options: ReportOptions) -> dict[str, Any]:
    totals = result.totals
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "costwarden", "version": __version__},
        "catalog": {"version": result.catalog.version, "date": result.catalog.date},
        "inputs": list(result.inputs),
        "exit_code": result.exit_code(options.fail_on, options.fail_on_cost, options.fail_on_unevaluated),
        "fail_on": options.fail_on.label if options.fail_on is not None else "never",
        "fail_on_cost": options.fail_on_cost,
        "fail_on_unevaluated": options.fail_on_unevaluated,
        "coverage": _coverage(result),
        "summary": {
            "resources": totals.resources,
            "violations": totals.violations,
            "by_severity": dict(totals.by_severity),
            "monthly_cost": _money(totals.monthly_cost),
            "monthly_cost_at_stake": _money(totals.monthly_cost_at_stake),
            "monthly_savings": _money(totals.monthly_savings),
            "expected_loss": _money(totals.expected_loss),
            "currency": "USD",
        },
        "violations": [_violation(v) for v in result.violations],
        "suppressed": [_violation(v) | {"suppression": _suppression(v.suppression)} for v in result.suppressed],
        "fixed": list(result.fixed),
        "resources": [
            {
                "address": r.address,
                "type": r.type,
                "provider": r.provider,
                "category": r.category,
                "action": r.action,
                "location": {"path": r.location.path, "line": r.location.line},
                "monthly_cost": _money(cost.monthly_cost) if (cost := result.costs.get(r.key)) else None,
                "cost_basis": cost.basis if cost else None,
            }
            for r in result.resources
        ],
        "warnings": [_problem(p) for p in result.warnings],
        "errors": [_problem(p) for p in result.errors],
    }


def _money(amount: float) -> float:
    return round(amount, 2)


def _coverage(result: ScanResult) -> dict[str, Any]:
    coverage = result.coverage
    return {
        "documents": coverage.documents,
        "skipped": [{"path": s.path, "reason": s.reason} for s in coverage.skipped],
        "resources": coverage.resources,
        "priced": coverage.priced,
        "not_priced": [
            {"address": p.address, "path": p.path, "line": p.line, "reason": p.message.removeprefix("not priced: ")}
            for p in coverage.unpriced
        ],
        "not_evaluated": [
            {
                "kind": n.kind,
                "name": n.name,
                "location": {"path": n.location.path, "line": n.location.line},
                "reason": n.reason,
                "accelerators": n.accelerators or None,
            }
            for n in coverage.not_evaluated
        ],
    }


def _violation(violation: Violation) -> dict[str, Any]:
    return {
        "policy_id": violation.policy_id,
        "policy_name": violation.policy_name,
        "title": violation.title,
        "severity": violation.severity.label,
        "address": violation.address,
        "resource_type": violation.resource_type,
        "location": {"path": violation.location.path, "line": violation.location.line},
        "message": violation.message,
        "remediation": violation.remediation,
        "remedy": _remedy(violation.remedy),
        "cost_impact": _impact(violation.cost),
    }


def _suppression(suppression: Suppression | None) -> dict[str, Any] | None:
    if suppression is None:
        return None
    return {
        "kind": suppression.kind,
        "reason": suppression.reason,
        "source": suppression.source,
        "owner": suppression.owner or None,
        "expires": suppression.expires or None,
        "ticket": suppression.ticket or None,
    }


def _remedy(remedy: Remedy | None) -> dict[str, Any] | None:
    if remedy is None:
        return None
    return {"changes": dict(remedy.changes), "description": remedy.description}


def _impact(impact: CostImpact | None) -> dict[str, Any] | None:
    if impact is None:
        return None
    return {
        "monthly_cost": _money(impact.monthly_cost),
        "spend_at_stake": _money(impact.spend_at_stake),
        "monthly_cost_after": _money(impact.monthly_cost_after),
        "monthly_savings": _money(impact.monthly_savings),
        "expected_loss": _money(impact.expected_loss),
        "currency": impact.currency,
        "basis": impact.basis,
        "catalog_version": impact.catalog_version,
    }


def _problem(problem: Problem) -> dict[str, Any]:
    return {
        "message": problem.message,
        "path": problem.path,
        "line": problem.line,
        "address": problem.address,
    }


__all__ = ["SCHEMA_VERSION", "render", "report"]
