"""GitHub Actions workflow commands: an annotation per violation on its file and line, the
most severe and most expensive first, at most 10 errors and 10 warnings a step (GitHub shows no
more), the rest counted in a final notice."""

from __future__ import annotations

from typing import TextIO

from costwarden import escape
from costwarden.model import ScanResult, Severity
from costwarden.reports.describe import money_note, ordered, relative
from costwarden.reports.options import ReportOptions

COMMANDS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning"}


def escape_data(text: str) -> str:
    """The runner's escapes for CR, LF and %; every other control character shown as ``\\xNN``."""
    return escape.terminal(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: ScanResult, stream: TextIO, options: ReportOptions) -> None:
    shown: dict[str, int] = {}
    hidden = 0
    for violation in ordered(result.violations):
        command = COMMANDS.get(violation.severity, "notice")
        if shown.get(command, 0) >= options.max_annotations:
            hidden += 1
            continue
        shown[command] = shown.get(command, 0) + 1
        properties = {
            "file": relative(violation.location.path, options.root),
            "line": str(violation.location.line),
            "title": f"{violation.policy_id} {violation.title} ({money_note(violation)})",
        }
        if violation.location.end_line:
            properties["endLine"] = str(violation.location.end_line)
        listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
        message = f"{violation.address}: {violation.message}"
        if violation.remediation:
            message += f"\n{violation.remediation}"
        stream.write(f"::{command} {listed}::{escape_data(message)}\n")
    for problem in result.errors:
        stream.write(f"::error title=costwarden::{escape_data(str(problem))}\n")
    if hidden:
        stream.write(f"::notice title=costwarden::{hidden} more violations not annotated (see the job summary)\n")
