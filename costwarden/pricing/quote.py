"""A priced ``Compute``: hourly and monthly cost with the assumptions written out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quote:
    hourly: float
    monthly: float
    basis: str


@dataclass(frozen=True)
class Unpriced:
    """Why a ``Compute`` could not be priced: a warning on the result, never a zero."""

    reason: str
