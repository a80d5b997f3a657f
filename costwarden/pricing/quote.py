"""A priced ``Compute``: hourly and monthly cost with the assumptions written out."""

from __future__ import annotations

from dataclasses import dataclass

from costwarden.model import CostComponent


@dataclass(frozen=True)
class Quote:
    hourly: float
    monthly: float
    basis: str
    components: tuple[CostComponent, ...] = ()


@dataclass(frozen=True)
class Unpriced:
    """Why a ``Compute`` could not be priced: a warning on the result, never a zero."""

    reason: str
