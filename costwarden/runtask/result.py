"""The callback body: a verdict, a one-line message and, when the run accepts them, outcomes.

Limits come from HashiCorp's run task result JSON Schema: message 1,000 characters, outcomes
250, description 1,000, body 10,000 (markdown), outcome id 64, tag labels 32.
"""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

from costwarden import escape
from costwarden.model import PolicyInfo, ScanResult, Severity, Violation
from costwarden.reports.describe import money_note, ordered, policy_of
from costwarden.reports.money import usd

MAX_MESSAGE = 1000
MAX_OUTCOMES = 250
MAX_DESCRIPTION = 1000
MAX_BODY = 10_000
MAX_OUTCOME_ID = 64
MAX_LABEL = 32
MAX_URL = 500
TRUNCATED = "\n\n… (truncated)"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "info",
    Severity.INFO: "info",
}


def clip(text: str, limit: int, marker: str = "…") -> str:
    return text if len(text) <= limit else text[: limit - len(marker)] + marker


def verdict(
    result: ScanResult, threshold: Severity | None, fail_on_cost: float | None, fail_on_unevaluated: bool = False
) -> str:
    return "passed" if result.exit_code(threshold, fail_on_cost, fail_on_unevaluated) == 0 else "failed"


def message(result: ScanResult, threshold: Severity | None) -> str:
    totals = result.totals
    if result.errors:
        head = f"costwarden could not read the plan: {result.errors[0]}"
    elif not result.violations:
        head = f"costwarden: no violations in {totals.resources} resources ({usd(totals.monthly_cost)}/month)"
    else:
        counts = ", ".join(f"{n} {label}" for label, n in reversed(list(totals.by_severity.items())) if n)
        head = (
            f"costwarden: {totals.violations} violations ({counts}) in {totals.resources} resources; "
            f"{usd(totals.monthly_cost_at_stake)}/month at stake, remedies save {usd(totals.monthly_savings)}/month"
        )
    if result.suppressed:
        kinds = Counter(v.suppression.kind for v in result.suppressed if v.suppression)
        by_kind = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        head += f"; {len(result.suppressed)} suppressed ({by_kind})"
    gate = f"fails on {threshold.label} and above" if threshold is not None else "never fails on severity"
    return clip(f"{head}; {gate}", MAX_MESSAGE)


def _cost_label(violation: Violation, policy: PolicyInfo) -> tuple[str, str]:
    if policy.source == "checkov":
        return "security check, no cost", "none"
    if violation.cost is None:
        return "not priced", "none"
    if violation.cost.monthly_savings > 0:
        return clip(f"saves {usd(violation.cost.monthly_savings)}/mo", MAX_LABEL), "warning"
    return clip(f"{usd(violation.cost.monthly_cost)}/mo", MAX_LABEL), "info"


def _body(violation: Violation, policy: PolicyInfo) -> str:
    """Markdown HCP Terraform renders: every value from the input escaped (``escape.markdown``)."""
    md, code = escape.markdown, escape.markdown_code
    lines = [f"## {md(violation.policy_id)}: {md(violation.title)}", "", md(violation.message), ""]
    lines.append(
        f"**Resource:** {code(violation.address)} ({md(violation.resource_type)}) at {code(violation.location)}"
    )
    lines.append(f"**Severity:** {violation.severity.label}")
    lines.append(f"**Cost impact:** {md(money_note(violation))}")
    if violation.cost is not None:
        cost = violation.cost
        lines += [
            "",
            "| now | after the remedy | saves | priced from |",
            "|---:|---:|---:|---|",
            f"| {usd(cost.monthly_cost)}/month | {usd(cost.monthly_cost_after)}/month "
            f"| {usd(cost.monthly_savings)}/month | {md(cost.basis)}; catalog {md(cost.catalog_version)} |",
        ]
    remedy = violation.remediation or (violation.remedy.description if violation.remedy else "")
    if remedy:
        lines += ["", "### Remedy", "", md(remedy)]
    if violation.remedy is not None and violation.remedy.changes:
        changes = [
            escape.terminal(f"{k} = {v!r}".replace("'", '"').replace("`", "'"))
            for k, v in violation.remedy.changes.items()
        ]
        lines += ["", "```hcl", *changes, "```"]
    if policy.doc:  # the policy's own documentation: its Markdown kept, its HTML not
        lines += ["", "### About this policy", "", html.escape(policy.doc, quote=False)]
    if policy.help_uri:
        lines += ["", f"More: {md(policy.help_uri)}"]
    return clip("\n".join(lines), MAX_BODY, TRUNCATED)


def outcome(
    violation: Violation, threshold: Severity | None, fail_on_cost: float | None, policy: PolicyInfo | None = None
) -> dict[str, Any]:
    """One violation as a run task outcome; ``policy`` supplies the "About this policy" text."""
    policy = policy or PolicyInfo(violation.policy_id, violation.policy_name, violation.title, violation.severity)
    cost_label, cost_level = _cost_label(violation, policy)
    blocks = violation.reaches(threshold, fail_on_cost)
    return {
        "type": "task-result-outcomes",
        "attributes": {
            "outcome-id": clip(violation.policy_id, MAX_OUTCOME_ID),
            "description": clip(f"{violation.address}: {violation.title}", MAX_DESCRIPTION),
            "body": _body(violation, policy),
            "tags": {
                "Severity": [{"label": violation.severity.label.capitalize(), "level": LEVELS[violation.severity]}],
                "Status": [
                    {"label": "Failed", "level": "error"} if blocks else {"label": "Warning", "level": "warning"}
                ],
                "Cost": [{"label": cost_label, "level": cost_level}],
            },
        },
    }


def _summary(rest: list[Violation]) -> dict[str, Any]:
    lines = [f"## {len(rest)} more violations", "", "HCP Terraform shows at most 250 outcomes per task.", ""]
    lines += [f"- {v.policy_id} `{v.address}`: {v.title} ({money_note(v)})" for v in rest]
    return {
        "type": "task-result-outcomes",
        "attributes": {
            "outcome-id": "costwarden-more",
            "description": f"{len(rest)} more violations not shown as separate outcomes",
            "body": clip("\n".join(lines), MAX_BODY, TRUNCATED),
            "tags": {"Status": [{"label": "Truncated", "level": "info"}]},
        },
    }


def outcomes(result: ScanResult, threshold: Severity | None, fail_on_cost: float | None) -> list[dict[str, Any]]:
    def one(v: Violation) -> dict[str, Any]:
        policy = policy_of(result, v)
        if policy.source in result.gates:  # a source with its own gate (Checkov) blocks by that alone
            return outcome(v, result.gates[policy.source], None, policy)
        return outcome(v, threshold, fail_on_cost, policy)

    violations = ordered(result.violations)
    if len(violations) <= MAX_OUTCOMES:
        return [one(v) for v in violations]
    shown, rest = violations[: MAX_OUTCOMES - 1], violations[MAX_OUTCOMES - 1 :]
    return [*(one(v) for v in shown), _summary(rest)]


def callback_body(status: str, text: str, url: str = "", details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    attributes: dict[str, Any] = {"status": status, "message": clip(text, MAX_MESSAGE)}
    if url and len(url) <= MAX_URL:
        attributes["url"] = url
    data: dict[str, Any] = {"type": "task-results", "attributes": attributes}
    if details:
        data["relationships"] = {"outcomes": {"data": details}}
    return {"data": data}
