"""``ScanOptions``: everything a scan needs besides its inputs, in one object.

``prepare()`` builds one from a config file and a shell's overrides; every shell (library, CLI,
run task, GitHub Action, baseline, cost) goes through it, so the same config scans the same way
everywhere. A caller may also build one by hand: what it holds is exactly what runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from costwarden.config import Config
from costwarden.engine.inputs import MAX_INPUT_BYTES
from costwarden.loaders.tf_inputs import TerraformInputs
from costwarden.metrics.base import MetricsSource
from costwarden.pricing.catalog import Catalog
from costwarden.pricing.usage import UsageFile
from costwarden.sources.base import PolicySource
from costwarden.sources.python import PythonPolicies
from costwarden.suppress.apply import SuppressOptions


@dataclass(frozen=True)
class ScanOptions:
    config: Config = field(default_factory=Config)
    catalog: Catalog | None = None
    """``None``: the shipped snapshot."""
    sources: Sequence[PolicySource] = (PythonPolicies(),)
    """Where violations come from; the default is the built-in Python policies."""
    usage: UsageFile | None = None
    metrics: Sequence[MetricsSource] = ()
    suppress: SuppressOptions = field(default_factory=SuppressOptions)
    tf_dir: Path | None = None
    """The ``.tf`` files plans were made from (default: beside each plan)."""
    terraform: TerraformInputs = field(default_factory=TerraformInputs)
    """Variables, workspace and root modules for evaluating ``.tf`` files."""
    input_format: str | None = None
    """Read every input as this loader's format instead of detecting it (with
    ``skip_unrecognized``: a comma-separated list of the formats to read)."""
    skip_unrecognized: bool = False
    """A named file no loader recognizes (or of a format not asked for) is skipped and counted,
    not an error: pre-commit names every JSON or YAML file of a commit."""
    changed_only: bool = False
    """Plans: keep only violations on resources created, updated or replaced."""
    max_input_bytes: int = MAX_INPUT_BYTES
    """A larger input is an error, never read."""
    jobs: int | None = None
    """Processes reading files (``.tf`` roots: threads); ``None``: one per core this process may
    use, ``1``: none besides this one. The result is the same whatever the number."""

    def workers(self) -> int:
        return self.jobs if self.jobs is not None else available_cores()


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, as a container limits it)."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
