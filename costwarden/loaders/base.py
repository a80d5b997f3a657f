"""What every loader shares: the ``Loader`` protocol and its result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from costwarden.model import NotEvaluated, Problem, Resource, Skipped


@dataclass
class Loaded:
    """What one document yielded: resources, and the problems met on the way."""

    resources: list[Resource] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    not_evaluated: list[NotEvaluated] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


class Loader(Protocol):
    NAME: str
    PATTERNS: tuple[str, ...]

    def sniff(self, path: str, head: bytes) -> bool: ...

    def load(self, path: str, data: bytes) -> Loaded: ...
