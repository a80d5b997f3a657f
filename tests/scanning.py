"""``ScanOptions`` for tests that choose exactly what runs (every shell builds its own with ``prepare``)."""

from __future__ import annotations

from typing import Any

from costwarden import Config, ScanOptions
from costwarden.policies.base import Policy
from costwarden.rego.run import RegoOptions
from costwarden.sources.python import PythonPolicies
from costwarden.sources.rego import RegoPolicies

NO_POLICIES = ScanOptions(sources=())


def with_policies(*policies: Policy, config: Config | None = None, **rest: Any) -> ScanOptions:
    return ScanOptions(config=config or Config(), sources=(PythonPolicies(policies),), **rest)


def only_rego(options: RegoOptions, **rest: Any) -> ScanOptions:
    return ScanOptions(sources=(RegoPolicies(options),), **rest)


def builtin_and_rego(options: RegoOptions, **rest: Any) -> ScanOptions:
    return ScanOptions(sources=(PythonPolicies(), RegoPolicies(options)), **rest)
