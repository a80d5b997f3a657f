"""The protocol every policy source satisfies, and what it is shown and gives back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from costwarden.config import Config
from costwarden.loaders import Document
from costwarden.model import PolicyInfo, Problem, Resource, Violation
from costwarden.policies.base import Context


@dataclass(frozen=True)
class Subject:
    """What a source evaluates: the scan's enriched resources, and the inputs they came from."""

    resources: Sequence[Resource]
    context: Context
    names: Sequence[str] = ()
    """Every input read, by the name reports show (files found in directories included)."""
    paths: Sequence[Path] = ()
    """The files and directories given, for sources that read the originals themselves."""
    documents: Sequence[Document] = ()
    """In-memory inputs (a run task's plan), for those same sources."""


@dataclass
class Outcome:
    violations: list[Violation] = field(default_factory=list)
    """Unpriced: the engine prices every violation the same way, whichever source found it."""
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    policies: list[PolicyInfo] = field(default_factory=list)
    """What the source ran (and what its violations name), for the reports."""
    read: list[str] = field(default_factory=list)
    """Inputs the source read itself as documents (raw Rego input): an input no loader models is
    then evaluated, not an error."""


class PolicySource(Protocol):
    @property
    def name(self) -> str:
        """Which kind of source: ``python``, ``rego``, ``checkov``."""
        ...

    def describe(self, config: Config) -> Sequence[PolicyInfo]:
        """The policies this source would run, as far as it knows before running (``costwarden policies``)."""
        ...

    def evaluate(self, subject: Subject) -> Outcome: ...
