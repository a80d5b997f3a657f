from __future__ import annotations

import os

import pytest

from tests.requires import CHECKOV, unavailable


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failed run: whatever it needed must be installed there."""
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        for report in skipped:
            print(f"\nCI forbids skipped tests: {report.nodeid}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def checkov_installed() -> None:
    """For ``needs_checkov`` tests: Checkov's executable is there."""
    if not CHECKOV.is_file():
        unavailable(f"Checkov not installed at {CHECKOV} (.ci/run installs it in .tools/checkov)")
