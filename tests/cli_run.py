"""``costwarden`` run in-process with a ``World`` the test sets, and what it printed."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costwarden.cli import World, main


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def report(self) -> dict[str, Any]:
        """The JSON report on stdout (``-o json``)."""
        return json.loads(self.out)

    def violations(self) -> set[tuple[str, str]]:
        return {(v["policy_id"], v["address"]) for v in self.report["violations"]}

    def found(self, prefix: str) -> dict[tuple[str, str], dict[str, Any]]:
        """The violations of the policies whose ids start with ``prefix``, by policy and address."""
        return {
            (v["policy_id"], v["address"]): v for v in self.report["violations"] if v["policy_id"].startswith(prefix)
        }

    def suppressed(self) -> dict[tuple[str, str], dict[str, Any]]:
        return {(v["policy_id"], v["address"]): v["suppression"] for v in self.report["suppressed"]}

    def warnings(self) -> list[str]:
        return [w["message"] for w in self.report["warnings"]]


def run_cli(cwd: Path, *argv: str, environ: dict[str, str] | None = None, today: dt.date | None = None) -> Run:
    out, err = io.StringIO(), io.StringIO()
    clock = dt.date.today if today is None else lambda: today
    world = World(out, err, io.BytesIO(), environ or {}, cwd, today=clock)
    return Run(main(list(argv), world), out.getvalue(), err.getvalue())
