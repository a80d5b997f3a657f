"""How a Python policy is written: a function decorated with ``@policy``.

    @policy(id="CW101", name="missing-cost-allocation-tags", title="...", severity=Severity.HIGH)
    def check(resource: Resource, context: Context) -> Iterator[Finding | Inconclusive]:
        '''The docstring is the policy's documentation.'''

The function yields a ``Finding`` per problem (the engine turns it into a ``Violation`` with the
policy's metadata, location and price) or ``Inconclusive`` when a value it needs is unknown
until apply. The decorator returns a ``Policy``; it registers nothing anywhere.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from costwarden.config import Config
from costwarden.model import Category, Remedy, Resource, ResourceCost, Severity
from costwarden.pricing.catalog import Catalog


@dataclass(frozen=True)
class Finding:
    message: str
    remediation: str = ""
    remedy: Remedy | None = None


@dataclass(frozen=True)
class Inconclusive:
    """The check could not decide: a warning on the result, not a pass."""

    reason: str


@dataclass(frozen=True)
class Context:
    config: Config
    catalog: Catalog
    resources: Mapping[str, Resource] = field(default_factory=dict)
    """Every resource of the scan, by ``Resource.key``."""
    costs: Mapping[str, ResourceCost] = field(default_factory=dict)
    """What each priced resource costs (read, never computed, by policies)."""

    def linked(self, resource: Resource, role: str) -> Resource | None:
        address = resource.links.get(role)
        if address is None:
            return None
        return self.resources.get(f"{resource.document or resource.location.path}::{address}")


Check = Callable[[Resource, Context], Iterable[Finding | Inconclusive]]


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    title: str
    severity: Severity
    check: Check
    categories: tuple[Category, ...] = ()
    """Resource categories the policy looks at; empty means every category."""

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.check) or ""

    def applies_to(self, resource: Resource) -> bool:
        return not self.categories or resource.category in self.categories


def policy(
    *,
    id: str,
    name: str,
    title: str,
    severity: Severity,
    categories: tuple[Category, ...] = (),
) -> Callable[[Check], Policy]:
    def decorate(check: Check) -> Policy:
        return Policy(id=id, name=name, title=title, severity=severity, check=check, categories=categories)

    return decorate
