"""Inline ignores as people write them.

In ``.tf`` comments::

    # costwarden:ignore CW101 CW102 reason="shared by all teams" until=2027-03-31

In a Kubernetes annotation ``costwarden.io/ignore`` or a ``costwarden:ignore`` tag, entries
separated by ``;``::

    CW401: batch only, until 2027-01-31
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MARKER = "costwarden:ignore"
ANNOTATION = "costwarden.io/ignore"
TAG = "costwarden:ignore"

_COMMENT = re.compile(r"(?:#|//)\s*costwarden:ignore\b(?P<rest>.*)$")
_PAIR = re.compile(r"""(?P<key>[a-z]+)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>\S+))""")
_ID = re.compile(r"^[A-Za-z][\w.-]*$")
_UNTIL = re.compile(r"(?:,\s*until\s+|\s*\buntil=)(?P<date>.+?)\s*$")


class DirectiveError(ValueError):
    """An ignore that cannot be read; the message says why."""


@dataclass(frozen=True, slots=True)
class Ignore:
    policy_ids: frozenset[str]
    reason: str
    until: dt.date | None
    source: str

    def covers(self, policy_id: str) -> bool:
        return policy_id in self.policy_ids


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise DirectiveError(f"not a date (YYYY-MM-DD): {text.strip()!r}") from None


def _ids(text: str) -> frozenset[str]:
    ids = [part for part in re.split(r"[\s,]+", text.strip()) if part]
    if not ids:
        raise DirectiveError("costwarden:ignore names no policy id")
    for policy_id in ids:
        if not _ID.match(policy_id):
            raise DirectiveError(f"not a policy id: {policy_id!r}")
    return frozenset(ids)


def comment_ignore(line: str, source: str) -> Ignore | None:
    """The ignore in one source line, or None when it has none."""
    found = _COMMENT.search(line)
    if found is None:
        return None
    rest = found.group("rest")
    pairs = {m.group("key"): m.group("dq") or m.group("sq") or m.group("bare") or "" for m in _PAIR.finditer(rest)}
    unknown = sorted(set(pairs) - {"reason", "until"})
    if unknown:
        raise DirectiveError(f"unknown costwarden:ignore key {unknown[0]!r} (reason, until)")
    first_pair = _PAIR.search(rest)
    ids = _ids(rest[: first_pair.start()] if first_pair else rest)
    until = parse_date(pairs["until"]) if "until" in pairs else None
    return Ignore(ids, pairs.get("reason", "").strip(), until, source)


_CHECKOV_SKIP = re.compile(r"(?:#|//)\s*checkov:skip=(?P<id>[A-Za-z][\w.-]*)(?::(?P<reason>.*))?$")


def checkov_skip(line: str, source: str) -> Ignore | None:
    """Checkov's own ``#checkov:skip=CKV_AWS_8:reason``, honoured for plans mapped to ``.tf``."""
    found = _CHECKOV_SKIP.search(line)
    if found is None:
        return None
    return Ignore(frozenset({found.group("id")}), (found.group("reason") or "").strip(), None, source)


def value_ignores(value: str, source: str) -> list[Ignore]:
    """Ignores in an annotation or tag value: ``IDS: reason[, until DATE]`` entries split by ``;``."""
    ignores = []
    for entry in re.split(r"[;\n]", value):
        entry = entry.strip()
        if not entry:
            continue
        ids_text, colon, reason = entry.partition(":")
        until = None
        if colon and (match := _UNTIL.search(reason)):
            until = parse_date(match.group("date"))
            reason = reason[: match.start()]
        ignores.append(Ignore(_ids(ids_text), reason.strip(), until, source))
    return ignores
