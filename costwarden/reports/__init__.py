"""Output formats: one module each, ``render(result, stream, options)``, listed in ``REPORTERS``."""

from __future__ import annotations

from typing import Protocol, TextIO

from costwarden.model import ScanResult
from costwarden.reports import github, json, junit, markdown, sarif, text
from costwarden.reports.options import ReportOptions


class Reporter(Protocol):
    def render(self, result: ScanResult, stream: TextIO, options: ReportOptions) -> None: ...


REPORTERS: dict[str, Reporter] = {
    "github": github,
    "json": json,
    "junit": junit,
    "markdown": markdown,
    "sarif": sarif,
    "text": text,
}

__all__ = ["REPORTERS", "ReportOptions", "Reporter"]
