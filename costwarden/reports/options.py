from __future__ import annotations

from dataclasses import dataclass

from costwarden.model import Severity


@dataclass(frozen=True)
class ReportOptions:
    fail_on: Severity | None = Severity.HIGH
    fail_on_cost: float | None = None
    fail_on_unevaluated: bool = False
    verbose: bool = False
    """Text: list the files a directory walk skipped, and why."""
    color: bool = False
    width: int = 120
    compact: bool = False
    """Text: one line per violation (its figure the remedy's savings, else the expected loss, else
    the spend at stake)."""
    max_rows: int | None = 200
    """Text only: violations listed before the rest are counted; ``None`` lists all."""
    root: str = "."
    """SARIF: paths are written relative to this folder (the repository root)."""
    max_chars: int = 65_000
    """Markdown: stay under this many characters (a PR comment takes 65,536; a job summary 1 MiB)."""
    template: str | None = None
    """Markdown: a Jinja2 template file in place of the built-in one."""
    at_stake_change: float | None = None
    """``--diff-base``: how the monthly cost at stake moved since the base report."""
    max_annotations: int = 10
    """GitHub: annotations per level and step (GitHub shows 10 errors and 10 warnings a step)."""
