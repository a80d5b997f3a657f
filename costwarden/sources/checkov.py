"""Checkov's checks as a policy source: one gate, one report, one suppression system.

Checkov runs as its own process (``checkov -o json``), found as ``--checkov-bin``, beside this
Python (the ``costwarden[checkov]`` extra) or on ``PATH`` (pipx, its own venv). Its failed
checks become violations on costwarden's resources, at costwarden's ``file:line``, with the
resource's monthly cost as context; waivers, baselines and every report then treat them like
any other violation.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costwarden.config import Config
from costwarden.errors import CostwardenError
from costwarden.model import Location, PolicyInfo, Problem, Resource, Severity, Violation
from costwarden.sources.base import Outcome, Subject

FRAMEWORKS = ("terraform", "terraform_plan", "kubernetes")
INSTALL_HINT = "install it with: pip install 'costwarden[checkov]' (or pipx install checkov; then --checkov-bin)"


@dataclass(frozen=True)
class CheckovOptions:
    binary: Path
    checks: tuple[str, ...] = ()
    skip_checks: tuple[str, ...] = ()
    external_checks_dirs: tuple[Path, ...] = ()
    default_severity: Severity = Severity.HIGH
    """For checks that carry no severity (Checkov's built-ins, offline)."""
    timeout_seconds: float = 900.0


@dataclass(frozen=True)
class CheckovPolicies:
    options: CheckovOptions
    name: str = "checkov"

    def describe(self, config: Config) -> list[PolicyInfo]:
        return []  # Checkov's checks are known once it has run

    def evaluate(self, subject: Subject) -> Outcome:
        """Checkov reads files: in-memory documents (a run task's plan) go to a temporary folder
        first, and findings there are matched back to the document's name."""
        if not subject.documents:
            return _outcome(*run_checkov(self.options, subject.paths, subject.resources))
        with tempfile.TemporaryDirectory(prefix="costwarden-checkov-") as folder:
            written: dict[str, str] = {}
            for position, document in enumerate(subject.documents):
                target = Path(folder) / str(position) / Path(document.name).name
                target.parent.mkdir()
                target.write_bytes(document.data)
                written[_real(str(target))] = document.name
            paths = [*subject.paths, *(Path(p) for p in written)]
            return _outcome(*run_checkov(self.options, paths, subject.resources, written))


def _outcome(violations: list[Violation], errors: list[Problem]) -> Outcome:
    infos: dict[str, PolicyInfo] = {}
    for violation in violations:
        guideline = violation.remediation.removeprefix("See ") if violation.remediation else None
        doc = f"{violation.title}\n\nChecked by Checkov ({violation.policy_id})."
        infos.setdefault(
            violation.policy_id,
            PolicyInfo(
                violation.policy_id,
                "checkov",
                violation.title,
                violation.severity,
                doc + (f" Guideline: {guideline}" if guideline else ""),
                guideline,
                "checkov",
            ),
        )
    return Outcome(violations=violations, errors=errors, policies=list(infos.values()))


def find_checkov(given: Path | None, environ: Mapping[str, str]) -> Path:
    """``--checkov-bin``, else ``checkov`` beside this Python, else on ``PATH``; a one-line error if none."""
    if given is not None:
        if not given.is_file():
            raise CostwardenError(f"--checkov-bin {given} not found; {INSTALL_HINT}")
        return given
    beside = Path(sys.executable).parent / "checkov"
    if beside.is_file():
        return beside
    found = shutil.which("checkov", path=environ.get("PATH", os.defpath))
    if found is None:
        raise CostwardenError(f"checkov is not installed; {INSTALL_HINT}")
    return Path(found)


def _command(options: CheckovOptions, paths: Sequence[Path]) -> list[str]:
    files = [str(p) for p in paths if p.is_file()]
    command = [str(options.binary), "-o", "json", "--quiet", "--compact", "--soft-fail"]
    command += ["--framework", *FRAMEWORKS]
    if files:
        command += ["-f", *files]
    for directory in (p for p in paths if p.is_dir()):
        command += ["-d", str(directory)]
    if options.checks:  # Checkov runs nothing when given both lists, so costwarden subtracts
        command += ["--check", ",".join(c for c in options.checks if c not in options.skip_checks) or "NONE"]
    elif options.skip_checks:
        command += ["--skip-check", ",".join(options.skip_checks)]
    for directory in options.external_checks_dirs:
        command += ["--external-checks-dir", str(directory)]
    return command


def run_checkov(
    options: CheckovOptions,
    paths: Sequence[Path],
    resources: Sequence[Resource],
    renamed: Mapping[str, str] | None = None,
) -> tuple[list[Violation], list[Problem]]:
    """Checkov's failed checks on ``paths``, as violations on ``resources`` where they match;
    ``renamed`` maps a file Checkov read to the input name the resources carry."""
    environ = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    try:
        done = subprocess.run(
            _command(options, paths),
            capture_output=True,
            text=True,
            env=environ,
            timeout=options.timeout_seconds,
            check=False,
        )
    except OSError as exc:
        return [], [Problem(f"cannot run checkov: {exc.strerror}", str(options.binary))]
    except subprocess.TimeoutExpired:
        return [], [Problem(f"checkov ran longer than {options.timeout_seconds:.0f} s", str(options.binary))]
    try:
        reports = json.loads(done.stdout) if done.stdout.strip() else []
    except json.JSONDecodeError:
        reports = None
    if done.returncode != 0 or reports is None:
        detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return [], [Problem(f"checkov failed (exit {done.returncode}): {detail}", str(options.binary))]
    if isinstance(reports, dict):
        reports = [reports] if "results" in reports else []
    matcher = _Matcher(resources, renamed or {})
    violations = [
        found
        for report in reports
        if isinstance(report, dict)
        for check in report.get("results", {}).get("failed_checks", [])
        if (found := matcher.violation(check, options.default_severity)) is not None
    ]
    return violations, []


def _severity(value: Any, default: Severity) -> Severity:
    if isinstance(value, str):
        try:
            return Severity.parse(value)
        except ValueError:
            return default
    return default


class _Matcher:
    """Checkov's resource names onto costwarden's resources: plan and HCL addresses are the
    same; Kubernetes ``Kind.namespace.name`` is ``Kind/namespace/name`` here."""

    def __init__(self, resources: Sequence[Resource], renamed: Mapping[str, str]) -> None:
        self._renamed = renamed
        self._by_file: dict[tuple[str, str], Resource] = {}
        self._by_name: dict[str, list[Resource]] = {}
        for resource in resources:
            name = resource.address.replace("/", ".") if resource.provider == "kubernetes" else resource.address
            for path in {resource.document, resource.location.path} - {""}:
                self._by_file[(_real(path), name)] = resource
            self._by_name.setdefault(name, []).append(resource)

    def _find(self, name: str, path: str) -> Resource | None:
        real = _real(path)
        found = self._by_file.get((_real(self._renamed[real]) if real in self._renamed else real, name))
        if found is None and len(candidates := self._by_name.get(name, [])) == 1:
            found = candidates[0]
        return found

    def violation(self, check: dict[str, Any], default: Severity) -> Violation | None:
        """None for a resource this change destroys: there is nothing left to secure."""
        name = str(check.get("resource_address") or check.get("resource") or "")
        path = str(check.get("file_abs_path") or check.get("file_path") or "")
        lines = check.get("file_line_range") or [None, None]
        resource = self._find(name, path)
        path = self._renamed.get(_real(path), path)
        guideline = str(check.get("guideline") or "")
        title = str(check.get("check_name") or check.get("check_id"))
        found = Violation(
            policy_id=str(check.get("check_id")),
            policy_name="checkov",
            title=title,
            severity=_severity(check.get("severity"), default),
            address=name,
            resource_type=name.split(".")[0],
            location=Location(path, lines[0] if isinstance(lines[0], int) else 1),
            message=f"{title} (Checkov {check.get('check_id')})",
            remediation=f"See {guideline}" if guideline else "",
        )
        if resource is None:
            return found
        if not resource.exists_after:
            return None
        return dataclasses.replace(
            found,
            address=resource.address,
            resource_type=resource.type,
            location=resource.location,
            document=resource.document,
        )


def _real(path: str) -> str:
    return os.path.realpath(path) if path else ""
