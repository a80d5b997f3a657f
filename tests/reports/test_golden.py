"""Each report of the bundled example, byte for byte. After an intended change:

COSTWARDEN_UPDATE_GOLDEN=1 pytest tests/reports
"""

import io
import os
from pathlib import Path

import pytest

from costwarden import scan
from costwarden.model import Severity
from costwarden.reports import REPORTERS, ReportOptions

ROOT = Path(__file__).parents[2]
GOLDEN = Path(__file__).parent / "golden"
EXAMPLE = "examples/terraform/gpu-fleet/plan.json"
SUFFIX = {
    "text": "txt",
    "json": "json",
    "sarif": "sarif",
    "junit": "junit.xml",
    "markdown": "md",
    "github": "github.txt",
}


@pytest.fixture(scope="module")
def result():
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        return scan([EXAMPLE])
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_report_matches_golden(result, name):
    stream = io.StringIO()
    REPORTERS[name].render(result, stream, ReportOptions(fail_on=Severity.HIGH, width=120))
    golden = GOLDEN / f"gpu-fleet.{SUFFIX[name]}"
    if os.environ.get("COSTWARDEN_UPDATE_GOLDEN"):
        golden.write_text(stream.getvalue())
    assert stream.getvalue() == golden.read_text()


def test_every_reporter_has_a_golden():
    assert set(SUFFIX) == set(REPORTERS)


def test_text_report_truncates_long_lists_with_a_count(result):
    stream = io.StringIO()
    REPORTERS["text"].render(result, stream, ReportOptions(max_rows=1))
    assert "… and 3 more violations (all of them: --all, or -o json)" in stream.getvalue()
