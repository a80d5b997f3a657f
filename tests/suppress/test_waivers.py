"""The waivers file: what is read, and each way it can be wrong, with its line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costwarden.suppress.waivers import load_waivers

GOOD = """\
waivers:
  - policy: CW2*
    resource: module.batch.aws_instance.*
    reason: measured during the migration
    owner: ml-platform@example.com
    expires: 2027-03-31
    ticket: https://jira.example.com/FINOPS-12
  - policy: CW101
    resource: aws_instance.trainer
    reason: shared
    owner: platform
    expires: 2027-01-31
"""


def test_waivers_are_read_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(GOOD)
    waivers, problems = load_waivers(path)
    assert problems == []
    first, second = waivers
    assert (first.policy, first.owner, first.expires, first.ticket, first.line) == (
        "CW2*",
        "ml-platform@example.com",
        dt.date(2027, 3, 31),
        "https://jira.example.com/FINOPS-12",
        2,
    )
    assert first.matches("CW201", "module.batch.aws_instance.worker[0]")
    assert not first.matches("CW101", "module.batch.aws_instance.worker[0]")
    assert (second.line, second.ticket, second.source) == (8, "", f"{path}:8")


BAD = [
    (
        "waivers:\n  - policy: CW101\n    resource: x\n    reason: r\n    owner: o\n    expires: 2027-01-01\n    team: ml\n",
        7,
        "unknown waiver key 'team'",
    ),
    (
        "waivers:\n  - policy: CW101\n    resource: x\n    owner: o\n    expires: 2027-01-01\n",
        2,
        "waiver without reason",
    ),
    (
        "waivers:\n  - policy: CW101\n    resource: x\n    reason: r\n    expires: 2027-01-01\n",
        2,
        "waiver without owner",
    ),
    (
        "waivers:\n  - policy: CW101\n    resource: x\n    reason: r\n    owner: o\n    expires: next year\n",
        2,
        "not a date (YYYY-MM-DD): 'next year'",
    ),
    (
        "waivers:\n  - policy: CW101\n    resource: x\n    reason: ''\n    owner: o\n    expires: 2027-01-01\n",
        4,
        "waiver key 'reason' must be a non-empty text",
    ),
    ("waivers:\n  - just a string\n", 2, "a waiver must be a mapping"),
    ("waivers: {}\n", 1, "holds `waivers:`, a list"),
    ("exceptions: []\n", 1, "unknown key 'exceptions'"),
    ("waivers:\n  - policy: [CW101\n", 3, "invalid YAML"),
]


@pytest.mark.parametrize(("text", "line", "error"), BAD)
def test_bad_waivers_name_the_line_and_the_cause(tmp_path: Path, text: str, line: int, error: str) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(text)
    _, problems = load_waivers(path)
    assert [(p.line, p.path) for p in problems] == [(line, str(path))]
    assert error in problems[0].message


def test_one_bad_waiver_leaves_the_others(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(GOOD + "  - policy: CW101\n    resource: x\n")
    waivers, problems = load_waivers(path)
    assert len(waivers) == 2 and [p.line for p in problems] == [13]


def test_a_missing_file_is_one_problem(tmp_path: Path) -> None:
    _, problems = load_waivers(tmp_path / "nope.yaml")
    assert "cannot read waivers file" in problems[0].message


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_loads_or_names_its_problems(tmp_path: Path, text: str) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(text, encoding="utf-8")
    _, problems = load_waivers(path)
    assert all(p.message and p.path == str(path) for p in problems)
