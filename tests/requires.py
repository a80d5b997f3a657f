"""A component a test needs and cannot find: skipped on a developer's machine, failed in CI.

CI (``CI=true``) installs everything the tests need, so there a missing component is a
broken CI setup, and the test says so instead of skipping.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must provide it)", pytrace=False)
    pytest.skip(reason)


CHECKOV = Path(
    os.environ.get("COSTWARDEN_CHECKOV_BIN", Path(__file__).parents[1] / ".tools" / "checkov" / "bin" / "checkov")
)
"""Where ``.ci/run`` installs Checkov (its own venv), unless ``COSTWARDEN_CHECKOV_BIN`` says otherwise."""

needs_checkov = pytest.mark.usefixtures("checkov_installed")
