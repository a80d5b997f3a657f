"""``costwarden test``: Rego ``test_`` rules in ``*_test.rego`` files (as ``opa test`` and
``conftest verify`` run them) and pytest for Python policy tests, with Rego line coverage."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from costwarden.errors import PolicyError
from costwarden.rego.backend import EmbeddedBackend, PolicyFile
from costwarden.rego.policies import PACKAGE

TEST_RULE = re.compile(r"^(test_\w+)\b", re.M)


@dataclass(frozen=True)
class TestOutcome:
    name: str
    passed: bool
    detail: str = ""


@dataclass
class TestReport:
    outcomes: list[TestOutcome] = field(default_factory=list)
    errors: list[PolicyError] = field(default_factory=list)
    coverage: float | None = None
    """Percent of the policies' lines (tests excluded) that the tests ran."""
    python_exit: int | None = None
    python_not_run: str | None = None
    """Why the Python tests were not run (pytest is not installed), in one line."""

    @property
    def passed(self) -> int:
        return sum(outcome.passed for outcome in self.outcomes)

    @property
    def failed(self) -> int:
        return len(self.outcomes) - self.passed


def run_tests(paths: Sequence[Path], python: bool = True, data: Mapping[str, Any] | None = None) -> TestReport:
    report = TestReport()
    files: list[PolicyFile] = []
    for path in paths:
        for candidate in sorted(path.rglob("*.rego")) if path.is_dir() else [path]:
            files.append(PolicyFile(str(candidate), candidate.read_text(encoding="utf-8")))
    backend = EmbeddedBackend(coverage=True)
    report.errors.extend(backend.load(files, data or {}))
    for policy in files:
        if not policy.path.endswith("_test.rego"):
            continue
        package = PACKAGE.search(policy.text)
        if package is None:
            continue
        lines: dict[str, int] = {}
        for match in TEST_RULE.finditer(policy.text):
            lines.setdefault(match.group(1), policy.text.count("\n", 0, match.start()) + 1)
        for name, line in lines.items():
            query = f"data.{package.group(1)}.{name}"
            try:
                value = backend.evaluate(query, {})
            except PolicyError as exc:
                report.outcomes.append(TestOutcome(query, False, f"error: {exc}"))
                continue
            passed = value is not None and value is not False
            got = "undefined" if value is None else json.dumps(value)
            report.outcomes.append(TestOutcome(query, passed, "" if passed else f"{policy.path}:{line}: got {got}"))
    report.coverage = _coverage(backend)
    if python and any(_python_tests(path) for path in paths):
        if importlib.util.find_spec("pytest") is None:
            count = sum(len(_python_test_files(path)) for path in paths)
            report.python_not_run = (
                f"{count} Python test file{'s' if count != 1 else ''} not run: pytest is not installed "
                "(pip install pytest, or --no-python)"
            )
        else:
            report.python_exit = subprocess.call([sys.executable, "-m", "pytest", "-q", *map(str, paths)])
    return report


def _python_tests(path: Path) -> bool:
    return bool(_python_test_files(path))


def _python_test_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(path.rglob("test_*.py"))
    return [path] if path.name.startswith("test_") and path.suffix == ".py" else []


def _coverage(backend: EmbeddedBackend) -> float | None:
    report = backend.coverage()
    if not report:
        return None
    covered = missed = 0
    for entry in report.get("files", []):
        if str(entry.get("path", "")).endswith("_test.rego"):
            continue
        covered += len(entry.get("covered", []))
        missed += len(entry.get("not_covered", []))
    return 100.0 * covered / (covered + missed) if covered + missed else None
