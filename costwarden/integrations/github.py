"""The GitHub Action's scan step: one scan, every surface a pull request shows.

Annotations on stdout (workflow commands), the Markdown report appended to
``GITHUB_STEP_SUMMARY``, a SARIF file for ``github/codeql-action/upload-sarif``, a JSON report,
and step outputs in ``GITHUB_OUTPUT`` (multi-line values behind a random delimiter).
Inputs arrive as ``INPUT_*`` variables, as the composite ``action.yml`` sets them.
"""

from __future__ import annotations

import json
import shlex
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SUMMARY_LIMIT = 1_000_000  # GitHub refuses a step summary over 1 MiB


def _split(value: str) -> list[str]:
    return shlex.split(value.replace("\n", " "))


def action_arguments(environ: Mapping[str, str], out: Path) -> list[str]:
    """The ``costwarden scan`` arguments the Action's inputs stand for."""
    paths = _split(environ.get("INPUT_PATHS", "")) or ["."]
    plan = environ.get("COSTWARDEN_PLAN_FILE", "")
    if plan:
        paths.append(plan)
    argv = [*paths, "--fail-on", environ.get("INPUT_FAIL_ON") or "high"]
    if environ.get("INPUT_FAIL_ON_COST"):
        argv += ["--fail-on-cost", environ["INPUT_FAIL_ON_COST"]]
    if environ.get("INPUT_FAIL_ON_UNEVALUATED", "").strip().lower() == "true":
        argv.append("--fail-on-unevaluated")
    if environ.get("INPUT_TERRAFORM_DIRECTORY"):  # the plan's findings point at its .tf lines
        argv += ["--tf-dir", environ["INPUT_TERRAFORM_DIRECTORY"]]
    if environ.get("INPUT_WAIVERS"):
        argv += ["--waivers", environ["INPUT_WAIVERS"]]
    if environ.get("INPUT_BASELINE"):
        argv += ["--baseline", environ["INPUT_BASELINE"]]
    if environ.get("INPUT_CONFIG"):
        argv += ["--config", environ["INPUT_CONFIG"]]
    for policy in _split(environ.get("INPUT_POLICY", "")):
        argv += ["--policy", policy]
    if environ.get("INPUT_DIFF_BASE"):
        argv += ["--diff-base", environ["INPUT_DIFF_BASE"]]
    wanted = set(_split(environ.get("INPUT_OUTPUTS", "annotations summary sarif json").replace(",", " ")))
    if "annotations" in wanted:
        argv += ["-o", "github"]
    else:
        argv.append("--quiet")  # the files only, as asked
    argv += ["-o", f"markdown={out / 'costwarden.md'}", "-o", f"json={out / 'costwarden.json'}"]
    if "sarif" in wanted:
        argv += ["-o", f"sarif={out / 'costwarden.sarif'}"]
    if "junit" in wanted:
        argv += ["-o", f"junit={out / 'costwarden.junit.xml'}"]
    return argv


def write_outputs(path: Path, values: Mapping[str, str]) -> None:
    with path.open("a", encoding="utf-8") as stream:
        for name, value in values.items():
            if "\n" in value:
                delimiter = f"ghadelimiter_{uuid.uuid4()}"
                while delimiter in value:
                    delimiter = f"ghadelimiter_{uuid.uuid4()}"
                stream.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
            else:
                stream.write(f"{name}={value}\n")


def publish(environ: Mapping[str, str], out: Path, code: int) -> None:
    """The step summary and outputs, from the reports the scan wrote."""
    markdown = (out / "costwarden.md").read_text(encoding="utf-8") if (out / "costwarden.md").exists() else ""
    summary = environ.get("GITHUB_STEP_SUMMARY")
    wanted = environ.get("INPUT_OUTPUTS", "annotations summary sarif json")
    if summary and "summary" in wanted:
        with Path(summary).open("a", encoding="utf-8") as stream:
            stream.write(markdown[:SUMMARY_LIMIT])
    report: dict[str, Any] = {}
    if (out / "costwarden.json").exists():
        report = json.loads((out / "costwarden.json").read_text(encoding="utf-8"))
    totals = report.get("summary", {})
    outputs = {
        "violations": str(totals.get("violations", 0)),
        "monthly-cost-at-stake": f"{totals.get('monthly_cost_at_stake', 0):.2f}",
        "monthly-savings": f"{totals.get('monthly_savings', 0):.2f}",
        "sarif-file": str(out / "costwarden.sarif") if (out / "costwarden.sarif").exists() else "",
        "json-file": str(out / "costwarden.json"),
        "markdown-file": str(out / "costwarden.md"),
        "markdown": markdown,
        "exit-code": str(code),
    }
    if environ.get("GITHUB_OUTPUT"):
        write_outputs(Path(environ["GITHUB_OUTPUT"]), outputs)
