"""The terminal report: a table of violations with their dollars, then totals."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from costwarden._version import __version__
from costwarden.escape import terminal as safe
from costwarden.model import ScanResult, Severity
from costwarden.reports.money import usd
from costwarden.reports.options import ReportOptions
from costwarden.reports.suppressions import about, suppressed_count

NOT_EVALUATED = "not evaluated: "
"""Warnings that repeat a not-evaluated entry (an unread module): the report lists those once."""

_STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def terminal(stream: TextIO, options: ReportOptions) -> Console:
    """A rich console on ``stream``: colour only when asked for; no markup, emoji or
    highlighting, so a value is printed as it is (``escape.terminal`` first)."""
    return Console(
        file=stream,
        width=options.width,
        color_system="auto" if options.color else None,
        force_terminal=options.color,
        markup=False,
        highlight=False,
        emoji=False,
    )


def render(result: ScanResult, stream: TextIO, options: ReportOptions) -> None:
    console = terminal(stream, options)
    totals = result.totals
    files = len(result.inputs)
    console.print(
        safe(
            f"costwarden {__version__} · {files} input{'s' * (files != 1)} · "
            f"{totals.resources} resources · catalog {result.catalog.version} ({result.catalog.date})"
        )
    )
    shown = result.violations if options.max_rows is None else result.violations[: options.max_rows]
    if shown:
        table = Table(show_edge=False, pad_edge=False, expand=True)
        table.add_column("Severity", no_wrap=True)
        table.add_column("Policy", no_wrap=True)
        table.add_column("Resource · location", overflow="fold", ratio=3)
        table.add_column("Message", ratio=4)
        table.add_column("$/month", justify="right", no_wrap=True)
        for violation in shown:
            cost = violation.cost.monthly_impact if violation.cost else None
            where = Text(safe(violation.address))
            where.append(f"\n{safe(violation.location)}", style="dim")
            table.add_row(
                Text(violation.severity.label.upper(), style=_STYLES[violation.severity]),
                Text(safe(violation.policy_id)),
                where,
                Text(safe(violation.message)),
                usd(cost),
            )
        console.print(table)
    hidden = len(result.violations) - len(shown)
    if hidden:
        console.print(f"… and {hidden} more violations (all of them: --all, or -o json)")
    if any(v.cost is None for v in shown):
        console.print("— not priced: no compute to price, or a value unknown until apply (see warnings)")

    counts = ", ".join(f"{n} {label}" for label, n in reversed(list(totals.by_severity.items())) if n)
    unpriced = result.coverage.unpriced
    console.print(
        f"\n{totals.violations} violation{'s' * (totals.violations != 1)}"
        + (f" ({counts})" if counts else "")
        + f" · {usd(totals.monthly_cost)}/month priced"
        + (f" (of which {_resources(len(unpriced))} not priced)" if unpriced else "")
        + f" · {usd(totals.monthly_cost_at_stake)}/month at stake"
        + f" · {usd(totals.monthly_savings)}/month savings available"
        + (f" · {usd(totals.expected_loss)}/month expected loss" if totals.expected_loss else "")
    )
    if result.suppressed:
        console.print(f"\n{suppressed_count(result.suppressed)}:")
        for violation in result.suppressed:
            console.print(safe(f"  {violation.policy_id} {violation.address}: {about(violation)}"))
    if result.fixed:
        console.print(f"\nFixed since the baseline ({len(result.fixed)}):")
        for label in result.fixed:
            console.print(safe(f"  {label}"))
    warnings = [w for w in result.warnings if not w.message.startswith((NOT_EVALUATED, "not priced: "))]
    for title, problems in (("Not priced", list(unpriced)), ("Warnings", warnings), ("Errors", result.errors)):
        if problems:
            console.print(f"\n{title} ({len(problems)}):")
            for problem in problems:
                console.print(safe(f"  {problem}"))
    coverage = result.coverage
    if coverage.not_evaluated:
        console.print(f"\nNot evaluated ({len(coverage.not_evaluated)}): no policy judged these")
        for entry in coverage.not_evaluated:
            console.print(safe(f"  {entry.location} {entry.name}: {entry.reason}"), soft_wrap=True)
    if coverage.skipped and options.verbose:
        console.print(f"\nSkipped ({len(coverage.skipped)}):")
        for skipped in coverage.skipped:
            console.print(safe(f"  {skipped.path}: {skipped.reason}"), soft_wrap=True)
    more = " (see --verbose)" if coverage.skipped and not options.verbose else ""
    console.print(f"\n{coverage.line()}{more}")
    verdict = result.exit_code(options.fail_on, options.fail_on_cost, options.fail_on_unevaluated)
    failed = "FAILED: violations at or above the fail-on threshold"
    if verdict == 1 and result.exit_code(options.fail_on, options.fail_on_cost) == 0:
        failed = f"FAILED: {len(coverage.not_evaluated)} not evaluated (--fail-on-unevaluated)"
    console.print(
        {
            0: "\nPASSED",
            1: f"\n{failed}",
            2: "\nERROR: inputs or policies could not be processed",
        }[verdict]
    )


def _resources(count: int) -> str:
    return f"{count} resource{'s' * (count != 1)}"
