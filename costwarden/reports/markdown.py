"""A pull-request comment and job summary in GitHub-flavoured Markdown, from a Jinja2 template
(the built-in one, or ``--template FILE``): a headline with the dollars, the top savings, a
table per severity with collapsible details. Violations are dropped from the end, with a note,
until it fits ``max_chars`` (a PR comment takes 65,536 characters; a job summary 1 MiB)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, TextIO

import jinja2

from costwarden import escape
from costwarden.errors import CostwardenError
from costwarden.model import ScanResult, Severity, Violation
from costwarden.reports.describe import impact, ordered, relative
from costwarden.reports.money import usd
from costwarden.reports.options import ReportOptions
from costwarden.reports.suppressions import about, suppressed_count

TOP_SAVINGS = 5


def _savings(violation: Violation) -> float:
    return violation.cost.monthly_savings if violation.cost else 0.0


_cell = escape.markdown
_code = escape.markdown_code


def _signed(amount: float) -> str:
    return f"+{usd(amount)}" if amount > 0 else f"-{usd(-amount)}" if amount < 0 else usd(0)


def _template(options: ReportOptions) -> jinja2.Template:
    environment = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    try:
        if options.template:
            source = Path(options.template).read_text(encoding="utf-8")
        else:
            source = resources.files("costwarden.reports").joinpath("templates", "markdown.md.j2").read_text("utf-8")
        return environment.from_string(source)
    except OSError as exc:
        raise CostwardenError(f"cannot read template: {exc.strerror}", path=options.template) from None
    except jinja2.TemplateSyntaxError as exc:
        raise CostwardenError(f"template error: {exc.message}", path=options.template, line=exc.lineno) from None


def _render(template: jinja2.Template, result: ScanResult, violations: list[Violation], options: ReportOptions) -> str:
    by_severity = [
        (severity.label, [v for v in violations if v.severity == severity])
        for severity in sorted(Severity, reverse=True)
    ]
    best: dict[str, Violation] = {}  # remedies of one resource overlap: its best one, as the totals count
    for violation in violations:
        known = best.get(violation.resource_key)
        if _savings(violation) > 0 and (known is None or _savings(violation) > _savings(known)):
            best[violation.resource_key] = violation
    top = sorted(best.values(), key=lambda v: (-_savings(v), v.address, v.policy_id))
    context: dict[str, Any] = {
        "totals": result.totals,
        "catalog": result.catalog,
        "by_severity": [(label, rows) for label, rows in by_severity if rows],
        "top": top[:TOP_SAVINGS],
        "errors": list(result.errors),
        "coverage": result.coverage,
        "where": lambda n: f"{relative(n.location.path, options.root)}:{n.location.line}",
        "suppressed": list(result.suppressed),
        "suppressed_count": suppressed_count(result.suppressed),
        "about": about,
        "fixed": list(result.fixed),
        "fixed_text": ", ".join(_cell(label) for label in result.fixed),
        "at_stake_change": options.at_stake_change,
        "usd": usd,
        "signed": _signed,
        "cell": _cell,
        "code": _code,
        "impact": impact,
        "location": lambda v: f"{relative(v.location.path, options.root)}:{v.location.line}",
    }
    try:
        return template.render(**context)
    except jinja2.TemplateError as exc:
        raise CostwardenError(f"template error: {exc}", path=options.template) from None


def render(result: ScanResult, stream: TextIO, options: ReportOptions) -> None:
    stream.write(_fitting(_template(options), result, ordered(result.violations), options))


def _with_first(
    count: int, template: jinja2.Template, result: ScanResult, violations: list[Violation], options: ReportOptions
) -> str:
    """The report listing the first ``count`` violations, and a note counting the rest."""
    text = _render(template, result, violations[:count], options)
    if count < len(violations):
        left_out = len(violations) - count
        text += f"\n\n> {left_out} more violations are not shown here (the JSON and SARIF reports list them all).\n"
    return text


def _fitting(template: jinja2.Template, result: ScanResult, violations: list[Violation], options: ReportOptions) -> str:
    """The report with as many violations as fit ``max_chars``, the rest counted in a note.
    A few renders find the count: a small one measures a row, the guess from it is checked,
    and a binary search settles between the largest count that fits and the smallest that
    does not."""

    def attempt(count: int) -> str:
        return _with_first(count, template, result, violations, options)

    total = len(violations)
    probe = min(total, 32)
    sample = attempt(probe)
    if len(sample) <= options.max_chars and probe == total:
        return sample
    fits: dict[int, str] = {}
    low, high = 0, probe  # low fits (or is 0), high does not
    if len(sample) <= options.max_chars:
        fits[probe] = sample
        empty = len(attempt(0))
        per_row = max(1.0, (len(sample) - empty) / probe)
        low, high = probe, total + 1
        step = min(total, max(probe + 1, int((options.max_chars - empty) / per_row)))
        while step < high:  # from the guess, up by a quarter at a time until one does not fit
            text = attempt(step)
            if len(text) > options.max_chars:
                high = step
                break
            low, fits[step] = step, text
            step = min(total, int(step * 1.25) + 1) if step < total else high
    while high - low > 1:
        middle = (low + high) // 2
        text = attempt(middle)
        if len(text) <= options.max_chars:
            low, fits[middle] = middle, text
        else:
            high = middle
    return fits.get(low) or attempt(low)
