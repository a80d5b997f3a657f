"""SARIF 2.1.0 for GitHub code scanning: rules with descriptions, help and default level;
results with a location relative to ``%SRCROOT%`` (or an absolute ``file://`` URI outside
the repository), a stable partial fingerprint, and the monthly
cost in the message and in ``properties``."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, TextIO

from costwarden import escape, jsonio
from costwarden._version import __version__
from costwarden.model import NotEvaluated, PolicyInfo, ScanResult, Violation
from costwarden.reports.describe import LEVELS, fingerprint, money_note, ordered, policy_of, relative
from costwarden.reports.options import ReportOptions
from costwarden.reports.suppressions import about

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RESULTS = 5000  # GitHub keeps the first 5,000 results a run
SRCROOT = "%SRCROOT%"


def render(result: ScanResult, stream: TextIO, options: ReportOptions) -> None:
    jsonio.write(document(result, options), stream)


def document(result: ScanResult, options: ReportOptions) -> dict[str, Any]:
    violations = [*ordered(result.violations), *ordered(result.suppressed)][:MAX_RESULTS]
    rules: dict[str, dict[str, Any]] = {}
    for violation in violations:
        rules.setdefault(violation.policy_id, _rule(violation, policy_of(result, violation)))
    index = {rule_id: position for position, rule_id in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "costwarden",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://github.com/costwarden/costwarden",
                "rules": list(rules.values()),
            }
        },
        "automationDetails": {"id": "costwarden/"},
        "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(options.root)}},
        "results": [_result(v, index[v.policy_id], options) for v in violations],
        "properties": {
            "catalogVersion": result.catalog.version,
            "catalogDate": result.catalog.date,
            "monthlyCostAtStake": round(result.totals.monthly_cost_at_stake, 2),
            "monthlySavings": round(result.totals.monthly_savings, 2),
        },
    }
    if result.not_evaluated:  # what no rule judged: a tool notification, beside the results
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [_not_evaluated(n, options) for n in result.not_evaluated],
            }
        ]
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


@functools.lru_cache(maxsize=4096)
def _artifact(path: str, root: str) -> tuple[tuple[str, str], ...]:
    return tuple(_locate(path, root).items())


def artifact(path: str, root: str) -> dict[str, str]:
    """Where a file is, as :func:`_locate` says, worked out once per file."""
    return dict(_artifact(path, root))


def _locate(path: str, root: str) -> dict[str, str]:
    """Where a file is, as GitHub places it: relative to ``%SRCROOT%`` (the repository root)
    for a file inside it, an absolute ``file://`` URI with no base for one outside it (a plan
    written to ``$RUNNER_TEMP``); percent-encoded either way."""
    if "\x00" in path:
        return {"uri": escape.uri(path.replace("\x00", ""))}
    shown = relative(path, root)
    if not Path(shown).is_absolute() and not shown.startswith("../") and shown != "..":
        return {"uri": escape.uri(shown), "uriBaseId": SRCROOT}
    return {"uri": Path(path).resolve().as_uri()}


def _directory_uri(root: str) -> str:
    return Path(root).resolve().as_uri().rstrip("/") + "/"


def _not_evaluated(entry: NotEvaluated, options: ReportOptions) -> dict[str, Any]:
    where = {
        "physicalLocation": {
            "artifactLocation": artifact(entry.location.path, options.root),
            "region": {"startLine": entry.location.line},
        }
    }
    return {
        "level": "warning",
        "descriptor": {"id": "costwarden/not-evaluated"},
        "message": {"text": f"Not evaluated: {entry.kind} {entry.name}: {entry.reason}."},
        "locations": [where],
    }


def _rule(violation: Violation, policy: PolicyInfo) -> dict[str, Any]:
    doc = policy.doc
    full = doc.split("\n\n")[1].replace("\n", " ") if doc.count("\n\n") >= 1 else policy.summary
    help_text = doc or violation.remediation or violation.title
    rule: dict[str, Any] = {
        "id": violation.policy_id,
        "name": "".join(part.capitalize() for part in violation.policy_name.split("-")) or violation.policy_id,
        "shortDescription": {"text": violation.title},
        "fullDescription": {"text": full},
        "help": {"text": help_text, "markdown": f"**{violation.title}**\n\n{help_text}"},
        "defaultConfiguration": {"level": LEVELS[violation.severity]},
        "properties": {"tags": ["finops", "cost"], "precision": "high"},
    }
    if policy.help_uri:
        rule["helpUri"] = policy.help_uri
    return rule


def _result(violation: Violation, rule_index: int, options: ReportOptions) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": violation.location.line}
    if violation.location.end_line and violation.location.end_line >= violation.location.line:
        region["endLine"] = violation.location.end_line
    cost = violation.cost
    properties: dict[str, Any] = {"severity": violation.severity.label, "address": violation.address}
    if cost is not None:
        properties.update(
            monthlyCost=round(cost.monthly_cost, 2),
            monthlyCostAfter=round(cost.monthly_cost_after, 2),
            monthlySavings=round(cost.monthly_savings, 2),
            currency=cost.currency,
            costBasis=cost.basis,
            catalogVersion=cost.catalog_version,
        )
    return {
        "ruleId": violation.policy_id,
        "ruleIndex": rule_index,
        "level": LEVELS[violation.severity],
        "message": {"text": f"{violation.address}: {violation.message} ({money_note(violation)})."},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact(violation.location.path, options.root),
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {"costwarden/v1": fingerprint(violation)},
        "properties": properties,
    } | _suppressions(violation)


def _suppressions(violation: Violation) -> dict[str, Any]:
    """Suppressed results stay in the log; GitHub code scanning shows them as dismissed."""
    suppression = violation.suppression
    if suppression is None:
        return {}
    entry: dict[str, Any] = {
        "kind": "inSource" if suppression.kind == "inline" else "external",
        "status": "accepted",
        "justification": about(violation),
    }
    return {"suppressions": [entry]}
