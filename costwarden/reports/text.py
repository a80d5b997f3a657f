"""The terminal report: a table of violations with their dollars, then totals."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, TextIO

from costwarden._version import __version__
from costwarden.escape import terminal as safe
from costwarden.model import ScanResult, Severity, Violation
from costwarden.reports.money import usd
from costwarden.reports.options import ReportOptions
from costwarden.reports.suppressions import about, suppressed_count

if TYPE_CHECKING:
    from rich.console import Console

NOT_EVALUATED = "not evaluated: "
"""Warnings that repeat a not-evaluated entry (an unread module): the report lists those once."""

_STYLES = {  # ANSI SGR: bold white on red, bold red, yellow, cyan, dim
    Severity.CRITICAL: "1;37;41",
    Severity.HIGH: "1;31",
    Severity.MEDIUM: "33",
    Severity.LOW: "36",
    Severity.INFO: "2",
}


def terminal(stream: TextIO, options: ReportOptions) -> Console:
    """A rich console on ``stream`` (the cost table): colour only when asked for; no markup,
    emoji or highlighting, so a value is printed as it is (``escape.terminal`` first)."""
    from rich.console import Console

    return Console(
        file=stream,
        width=options.width,
        color_system="auto" if options.color else None,
        force_terminal=options.color,
        markup=False,
        highlight=False,
        emoji=False,
    )


class _Lines:
    """Lines to the stream, gathered and written in large pieces; each line is escaped by
    the caller, and colour is only ever the severity word's."""

    def __init__(self, stream: TextIO, options: ReportOptions):
        self.stream = stream
        self.color = options.color
        self.width = options.width
        self.pending: list[str] = []

    def __call__(self, text: str = "") -> None:
        self.pending.append(text)
        if len(self.pending) >= 4096:
            self.flush()

    def wrapped(self, text: str, indent: str = "") -> None:
        for line in _wrapped(text, self.width, indent):
            self(line)

    def severity_line(self, line: str, severity: Severity) -> None:
        if self.color:
            word = len(severity.label)
            line = f"\x1b[{_STYLES[severity]}m{line[:word]}\x1b[0m{line[word:]}"
        self(line)

    def flush(self) -> None:
        if self.pending:
            self.stream.write("\n".join(self.pending) + "\n")
            self.pending.clear()


def render(result: ScanResult, stream: TextIO, options: ReportOptions) -> None:
    say = _Lines(stream, options)
    totals = result.totals
    files = len(result.inputs)
    say.wrapped(
        safe(
            f"costwarden {__version__} · {files} input{'s' * (files != 1)} · "
            f"{totals.resources} resources · catalog {result.catalog.version} ({result.catalog.date})"
        )
    )
    shown = result.violations if options.max_rows is None else result.violations[: options.max_rows]
    if shown:
        say()
    for index, violation in enumerate(shown):
        if index and not options.compact:
            say()
        lines = _compact(violation, options) if options.compact else _violation(violation, options)
        say.severity_line(lines[0], violation.severity)
        for line in lines[1:]:
            say(line)
    hidden = len(result.violations) - len(shown)
    if hidden:
        say(f"… and {hidden} more violations (all of them: --all, or -o json)")

    counts = ", ".join(f"{n} {label}" for label, n in reversed(list(totals.by_severity.items())) if n)
    unpriced = result.coverage.unpriced
    parts = [
        f"{_plural(totals.violations, 'violation')}" + (f" ({counts})" if counts else ""),
        f"{usd(totals.monthly_cost)}/month priced"
        + (f" (of which {_plural(len(unpriced), 'resource')} not priced)" if unpriced else ""),
        f"{usd(totals.monthly_cost_at_stake)}/month at stake",
        f"{usd(totals.monthly_savings)}/month savings available",
    ]
    if totals.expected_loss:
        parts.append(f"{usd(totals.expected_loss)}/month expected loss")
    say()
    say.wrapped(" · ".join(parts))
    if result.suppressed:
        say()
        say(f"{suppressed_count(result.suppressed)}:")
        for violation in result.suppressed:
            say.wrapped(safe(f"{violation.policy_id} {violation.address}: {about(violation)}"), "  ")
    if result.fixed:
        say()
        say(f"Fixed since the baseline ({len(result.fixed)}):")
        for label in result.fixed:
            say.wrapped(safe(label), "  ")
    warnings = [w for w in result.warnings if not w.message.startswith((NOT_EVALUATED, "not priced: "))]
    for title, problems in (("Not priced", list(unpriced)), ("Warnings", warnings), ("Errors", result.errors)):
        if problems:
            say()
            say(f"{title} ({len(problems)}):")
            for problem in problems:
                say.wrapped(safe(str(problem)), "  ")
    coverage = result.coverage
    if coverage.not_evaluated:
        say()
        say(f"Not evaluated ({len(coverage.not_evaluated)}): no policy judged these")
        for entry in coverage.not_evaluated:
            say(safe(f"  {entry.location} {entry.name}: {entry.reason}"))
    if coverage.skipped and options.verbose:
        say()
        say(f"Skipped ({len(coverage.skipped)}):")
        for skipped in coverage.skipped:
            say(safe(f"  {skipped.path}: {skipped.reason}"))
    more = " (see --verbose)" if coverage.skipped and not options.verbose else ""
    say()
    say.wrapped(f"{coverage.line()}{more}")
    verdict = result.exit_code(options.fail_on, options.fail_on_cost, options.fail_on_unevaluated)
    failed = "FAILED: " + "; ".join(result.tripped(options.fail_on, options.fail_on_cost, options.fail_on_unevaluated))
    say()
    say.wrapped({0: "PASSED", 1: failed, 2: "ERROR: inputs or policies could not be processed"}[verdict])
    say.flush()


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


_INDENT = "    "


def _wrapped(text: str, width: int, indent: str) -> list[str]:
    """Wrapped at spaces only: an address, a path or an amount is never split (a token longer
    than the line stays whole). Plain single-spaced text, nearly every line, is wrapped here
    directly; anything else as ``textwrap`` does, to the same result."""
    width = max(width, 40)
    subsequent = indent + "  " if indent else "  "
    if "  " in text or text != text.strip() or not text.isprintable():
        return textwrap.wrap(
            text, width=width, initial_indent=indent, subsequent_indent=subsequent,
            break_long_words=False, break_on_hyphens=False,
        ) or [indent]  # fmt: skip
    if len(indent) + len(text) <= width:
        return [indent + text]
    lines: list[str] = []
    line, start = indent, len(indent)
    for word in text.split(" "):
        if len(line) == start:
            line += word
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line, start = subsequent + word, len(subsequent)
    lines.append(line)
    return lines


def _money_lines(violation: Violation) -> list[str]:
    """What each dollar is: the spend at stake, what the remedy saves and how, the expected loss."""
    cost = violation.cost
    if cost is None:
        return ["not priced: no compute to price, or a value unknown until apply (see Not priced / Warnings)"]
    said = [f"at stake {usd(cost.spend_at_stake)}/month"]
    if cost.expected_loss > 0:
        said.append(f"expected loss {usd(cost.expected_loss)}/month without {_remedy_words(violation)}")
    elif cost.monthly_savings > 0:
        said.append(f"saves {usd(cost.monthly_savings)}/month with {_remedy_words(violation)}")
    return [" · ".join(said), f"basis: {_short(cost.basis)}"]


def _remedy_words(violation: Violation) -> str:
    remedy = violation.remedy
    if remedy is None:
        return "the change"
    return remedy.description or ", ".join(f"{key} {value}" for key, value in remedy.changes.items())


def _short(basis: str, limit: int = 110) -> str:
    """The basis's first clause, cut at a word with an ellipsis (the whole basis: -o json)."""
    first = basis.split(" | ")[0].removeprefix("spend at stake: ")
    if len(first) <= limit:
        return first + (" …" if first != basis else "")
    return first[:limit].rsplit(" ", 1)[0] + " …"


def _violation(violation: Violation, options: ReportOptions) -> list[str]:
    head = f"{violation.severity.label.upper()} {violation.policy_id} {violation.address} {violation.location}"
    lines = _wrapped(safe(head), options.width, "")
    for body in (violation.message, *_money_lines(violation)):
        lines += _wrapped(safe(body), options.width, _INDENT)
    return lines


def _compact(violation: Violation, options: ReportOptions) -> list[str]:
    """One line: severity, policy, the figure with its meaning, address and location whole,
    then as much of the message as fits, cut at a word."""
    cost = violation.cost
    if cost is None:
        amount = "not priced"
    elif cost.monthly_savings > 0:
        amount = f"saves {usd(cost.monthly_savings)}"
    elif cost.expected_loss > 0:
        amount = f"loss {usd(cost.expected_loss)}"
    else:
        amount = f"{usd(cost.spend_at_stake)} at stake"
    head = safe(
        f"{violation.severity.label.upper()} {violation.policy_id} {amount} {violation.address} {violation.location}"
    )
    message = safe(violation.message)
    room = options.width - len(head) - 1
    if room < 12:
        return [head]
    if len(message) > room:
        message = message[: room - 2].rsplit(" ", 1)[0] + " …"
    return [f"{head} {message}"]
