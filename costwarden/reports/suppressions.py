"""How reports word a suppression: who, why, until when, where it is written."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from costwarden.model import Violation


def about(violation: Violation) -> str:
    suppression = violation.suppression
    if suppression is None:
        return ""
    parts = [f"{suppression.kind} ({suppression.source})", suppression.reason]
    if suppression.owner:
        parts.append(f"owner {suppression.owner}")
    if suppression.expires:
        parts.append(f"until {suppression.expires}")
    if suppression.ticket:
        parts.append(suppression.ticket)
    return "; ".join(parts)


def suppressed_count(suppressed: Sequence[Violation]) -> str:
    kinds = Counter(v.suppression.kind for v in suppressed if v.suppression)
    detail = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    return f"{len(suppressed)} suppressed ({detail})"
