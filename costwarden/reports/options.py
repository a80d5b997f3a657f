from __future__ import annotations

from dataclasses import dataclass

from costwarden.model import Severity


@dataclass(frozen=True)
class ReportOptions:
    fail_on: Severity | None = Severity.HIGH
    fail_on_cost: float | None = None
    color: bool = False
    width: int = 120
    max_rows: int | None = 200
    """Text only: violations listed before the rest are counted; ``None`` lists all."""
