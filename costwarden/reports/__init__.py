"""Output formats: one module each, ``render(result, stream, options)``, listed in ``REPORTERS``."""

from __future__ import annotations

from typing import Protocol, TextIO

from costwarden.model import ScanResult
from costwarden.reports import json, text
from costwarden.reports.options import ReportOptions


class Reporter(Protocol):
    def render(self, result: ScanResult, stream: TextIO, options: ReportOptions) -> None: ...


REPORTERS: dict[str, Reporter] = {
    "json": json,
    "text": text,
}

__all__ = ["REPORTERS", "ReportOptions", "Reporter"]
