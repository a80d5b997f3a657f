"""The text report's own line wrapping gives what ``textwrap`` gives, for any text."""

import textwrap

from hypothesis import given
from hypothesis import strategies as st

from costwarden.reports.text import _wrapped

WORDS = st.sampled_from(["a", "bb", "ccc", "x" * 30, "y" * 75, "·", "$1,234.56/month", "é", "-", "a-b", ""])
TEXT = st.one_of(
    st.lists(WORDS, max_size=40).map(" ".join),
    st.text(alphabet=st.sampled_from(["a", " ", "\t", "\n", "é", "-", "\u00a0"]), max_size=200),
)


def reference(text: str, width: int, indent: str) -> list[str]:
    subsequent = indent + "  " if indent else "  "
    return textwrap.wrap(
        text, width=max(width, 40), initial_indent=indent, subsequent_indent=subsequent,
        break_long_words=False, break_on_hyphens=False,
    ) or [indent]  # fmt: skip


@given(TEXT, st.integers(min_value=0, max_value=140), st.sampled_from(["", "  ", "    "]))
def test_wrapping_matches_textwrap(text, width, indent):
    assert _wrapped(text, width, indent) == reference(text, width, indent)


def test_a_token_longer_than_the_line_stays_whole():
    assert _wrapped("at " + "x" * 60 + " end", 40, "") == ["at", "  " + "x" * 60, "  end"]
