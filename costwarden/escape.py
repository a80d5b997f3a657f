"""Every value escaped for where it lands. Input files are written by anyone: a resource name
may hold a newline, an ANSI escape, rich markup, HTML, a backtick or a workflow command.

- ``terminal``: control characters (C0, DEL, C1), line and paragraph separators and bidi
  controls shown as ``\\xNN`` / ``\\uNNNN``, so nothing clears a screen, sets a title, starts a
  new line (a ``::set-output`` under GitHub Actions) or reorders text.
- ``markdown``: one line, HTML-escaped (no tag or comment opens), and the punctuation that
  could open a link, emphasis, code span, strikethrough or table cell backslash-escaped; values
  never start a line, so list and heading markers need nothing. GitHub-flavoured Markdown.
- ``xml``: characters XML 1.0 forbids shown as ``\\xNN``.
- ``uri``: a path percent-encoded for a SARIF ``artifactLocation.uri``.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: object) -> str:
    return _INVISIBLE.sub(_shown, str(text))


def markdown(text: object) -> str:
    one_line = _INVISIBLE.sub(" ", str(text))
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", html.escape(one_line, quote=False))


def markdown_code(text: object) -> str:
    """Inline code that no value can close: an HTML ``<code>`` element around escaped text."""
    return f"<code>{markdown(text)}</code>"


def xml(text: object) -> str:
    return _XML_FORBIDDEN.sub(_shown, str(text))


def uri(path: str) -> str:
    return quote(path, safe="/")
