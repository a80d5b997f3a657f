"""How inline ignores are read: one line per case."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costwarden.suppress.directives import DirectiveError, comment_ignore, value_ignores

D = dt.date


@pytest.mark.parametrize(
    ("line", "ids", "reason", "until"),
    [
        (
            '# costwarden:ignore CW101 reason="shared by all teams" until=2027-03-31',
            {"CW101"},
            "shared by all teams",
            D(2027, 3, 31),
        ),
        ("  # costwarden:ignore CW101 CW102", {"CW101", "CW102"}, "", None),
        ("// costwarden:ignore CW101,CW401 reason='batch only'", {"CW101", "CW401"}, "batch only", None),
        ('instance_type = "p4d.24xlarge" # costwarden:ignore CW201 reason=benchmarks', {"CW201"}, "benchmarks", None),
        (
            '#costwarden:ignore my.policy-1 reason="until=2030-01-01 is text here"',
            {"my.policy-1"},
            "until=2030-01-01 is text here",
            None,
        ),
    ],
)
def test_comment_ignores(line: str, ids: set[str], reason: str, until: D | None) -> None:
    ignore = comment_ignore(line, "main.tf:3")
    assert ignore is not None
    assert (set(ignore.policy_ids), ignore.reason, ignore.until, ignore.source) == (ids, reason, until, "main.tf:3")


@pytest.mark.parametrize("line", ['tags = { team = "ml" }', "# an ordinary comment", "# costwarden:ignored CW101"])
def test_lines_without_an_ignore(line: str) -> None:
    assert comment_ignore(line, "main.tf:1") is None


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("# costwarden:ignore", "names no policy id"),
        ('# costwarden:ignore reason="no id"', "names no policy id"),
        ("# costwarden:ignore CW101 until=31/03/2027", "not a date (YYYY-MM-DD): '31/03/2027'"),
        ("# costwarden:ignore CW101 owner=me", "unknown costwarden:ignore key 'owner'"),
        ("# costwarden:ignore CW1@1", "not a policy id: 'CW1@1'"),
    ],
)
def test_bad_comment_ignores(line: str, error: str) -> None:
    with pytest.raises(DirectiveError, match=error.replace("(", r"\(").replace(")", r"\)")):
        comment_ignore(line, "main.tf:1")


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("CW401: batch only, until 2027-01-31", [({"CW401"}, "batch only", D(2027, 1, 31))]),
        ("CW401", [({"CW401"}, "", None)]),
        ("CW101, CW102: shared account", [({"CW101", "CW102"}, "shared account", None)]),
        (
            "CW401: batch only; CW301: checkpointed by the job until=2027-02-01",
            [({"CW401"}, "batch only", None), ({"CW301"}, "checkpointed by the job", D(2027, 2, 1))],
        ),
        ("", []),
    ],
)
def test_annotation_and_tag_values(value: str, parsed: list[tuple[set[str], str, D | None]]) -> None:
    ignores = value_ignores(value, "deploy.yaml:4")
    assert [(set(i.policy_ids), i.reason, i.until) for i in ignores] == parsed


def test_a_bad_date_in_a_value_is_an_error() -> None:
    with pytest.raises(DirectiveError, match="not a date"):
        value_ignores("CW401: batch, until next spring", "x")


@given(st.text(max_size=120))
def test_any_comment_is_read_or_refused_with_a_reason(text: str) -> None:
    for line in (f"# costwarden:ignore {text}", text):
        try:
            comment_ignore(line, "f.tf:1")
        except DirectiveError as exc:
            assert str(exc)


@given(st.text(max_size=120))
def test_any_value_is_read_or_refused_with_a_reason(text: str) -> None:
    try:
        value_ignores(text, "x")
    except DirectiveError as exc:
        assert str(exc)


def test_until_inside_a_reason_is_text() -> None:
    [ignore] = value_ignores("CW401: wait until the migration ends", "x")
    assert (ignore.reason, ignore.until) == ("wait until the migration ends", None)
