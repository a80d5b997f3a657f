"""Output formats: one module each, ``render(result, stream, options)``, listed in ``REPORTERS``
and imported when first rendered (a JSON-only run never imports the Markdown template engine)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Protocol, TextIO

from costwarden.model import ScanResult
from costwarden.reports.options import ReportOptions


class Reporter(Protocol):
    def render(self, result: ScanResult, stream: TextIO, options: ReportOptions) -> None: ...


@dataclass(frozen=True)
class _Registered:
    module_name: str

    def render(self, result: ScanResult, stream: TextIO, options: ReportOptions) -> None:
        reporter: Reporter = importlib.import_module(f"costwarden.reports.{self.module_name}")
        reporter.render(result, stream, options)


REPORTERS: dict[str, Reporter] = {
    name: _Registered(name) for name in ("github", "json", "junit", "markdown", "sarif", "text")
}

__all__ = ["REPORTERS", "ReportOptions", "Reporter"]
