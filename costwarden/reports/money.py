"""Dollar amounts as people read them."""

from __future__ import annotations


def usd(amount: float | None) -> str:
    if amount is None:
        return "—"
    return f"${amount:,.2f}"
