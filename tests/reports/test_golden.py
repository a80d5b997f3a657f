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
    text = stream.getvalue().replace(Path.cwd().resolve().as_uri() + "/", "file:///CHECKOUT/")  # where it was cloned
    if os.environ.get("COSTWARDEN_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()


@pytest.mark.parametrize(("width", "compact"), [(80, False), (120, False), (80, True)])
def test_text_report_at_80_and_120_columns(result, width, compact):
    stream = io.StringIO()
    REPORTERS["text"].render(result, stream, ReportOptions(fail_on=Severity.HIGH, width=width, compact=compact))
    golden = GOLDEN / f"gpu-fleet-{width}{'-compact' if compact else ''}.txt"
    if os.environ.get("COSTWARDEN_UPDATE_GOLDEN"):
        golden.write_text(stream.getvalue())
    text = stream.getvalue()
    assert text == golden.read_text()
    tokens = {token for v in result.violations for token in (v.address, str(v.location))}
    for token in tokens:  # never split mid-token
        assert token in text
    for line in text.splitlines():  # one line per violation may run past the width, never wrapped mid-token
        assert compact or len(line) <= width or " " not in line.strip(), line


def test_every_reporter_has_a_golden():
    assert set(SUFFIX) == set(REPORTERS)


def test_text_report_truncates_long_lists_with_a_count(result):
    stream = io.StringIO()
    REPORTERS["text"].render(result, stream, ReportOptions(max_rows=1))
    assert "… and 3 more violations (all of them: --all, or -o json)" in stream.getvalue()


def test_top_savings_rows_add_up_to_the_headline():
    import re
    from pathlib import Path

    from costwarden import scan
    from costwarden.reports.markdown import render
    from costwarden.reports.options import ReportOptions

    examples = Path(__file__).parents[2] / "examples"
    result = scan([str(examples)])
    stream = io.StringIO()
    render(result, stream, ReportOptions())
    text = stream.getvalue()
    section = text.split("### Top savings")[1].split("###")[0]
    rows = [float(m.replace(",", "")) for m in re.findall(r"\| \$([\d,]+\.\d\d) \|", section)]
    assert rows and round(sum(rows), 2) == result.totals.monthly_savings


def test_unpriced_resources_are_listed_with_their_reason_and_counted_in_the_totals(tmp_path):
    from costwarden.cli import World, main

    (tmp_path / "main.tf").write_text('resource "aws_instance" "x" {\n  instance_type = "t2.nano"\n}\n'
                                      'provider "aws" {\n  region = "ap-south-2"\n}\n')  # fmt: skip
    for command in ("scan", "cost"):
        out = io.StringIO()
        main([command, "main.tf"], World(out, io.StringIO(), io.BytesIO(), {"COLUMNS": "200"}, tmp_path))
        text = out.getvalue()
        assert "Not priced (1):" in text and "no EC2 price for t2.nano in ap-south-2" in text, text
        assert "of which 1 " in text and "not priced" in text
