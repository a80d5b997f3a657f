"""costwarden: FinOps policy-as-code for AI workloads, every violation priced per month.

>>> import costwarden
>>> options = costwarden.prepare(".costwarden.yaml")   # doctest: +SKIP
>>> result = costwarden.scan(["plan.json"], options)   # doctest: +SKIP
>>> result.exit_code(costwarden.Severity.HIGH)         # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from costwarden._version import __version__

if TYPE_CHECKING:
    from costwarden.config import Config, load_config
    from costwarden.engine.options import ScanOptions
    from costwarden.engine.prepare import Overrides, prepare
    from costwarden.engine.scan import scan
    from costwarden.errors import CostwardenError
    from costwarden.loaders import Document
    from costwarden.model import (
        CatalogInfo,
        Compute,
        CostImpact,
        Gpu,
        Location,
        PolicyInfo,
        Problem,
        Remedy,
        Resource,
        ResourceCost,
        Scaling,
        ScanResult,
        Severity,
        Suppression,
        Totals,
        Violation,
    )
    from costwarden.suppress.apply import SuppressOptions

_LAZY = {
    "CatalogInfo": "costwarden.model",
    "Compute": "costwarden.model",
    "Config": "costwarden.config",
    "CostImpact": "costwarden.model",
    "CostwardenError": "costwarden.errors",
    "Document": "costwarden.loaders",
    "Gpu": "costwarden.model",
    "Location": "costwarden.model",
    "Overrides": "costwarden.engine.prepare",
    "PolicyInfo": "costwarden.model",
    "Problem": "costwarden.model",
    "Remedy": "costwarden.model",
    "Resource": "costwarden.model",
    "ResourceCost": "costwarden.model",
    "Scaling": "costwarden.model",
    "ScanOptions": "costwarden.engine.options",
    "ScanResult": "costwarden.model",
    "Severity": "costwarden.model",
    "SuppressOptions": "costwarden.suppress.apply",
    "Suppression": "costwarden.model",
    "Totals": "costwarden.model",
    "Violation": "costwarden.model",
    "load_config": "costwarden.config",
    "prepare": "costwarden.engine.prepare",
    "scan": "costwarden.engine.scan",
}
"""Imported on first use, so ``costwarden --version`` and a JSON-only run import only what they need."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'costwarden' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "CatalogInfo",
    "Compute",
    "Config",
    "CostImpact",
    "CostwardenError",
    "Document",
    "Gpu",
    "Location",
    "Overrides",
    "PolicyInfo",
    "Problem",
    "Remedy",
    "Resource",
    "ResourceCost",
    "Scaling",
    "ScanOptions",
    "ScanResult",
    "Severity",
    "SuppressOptions",
    "Suppression",
    "Totals",
    "Violation",
    "__version__",
    "load_config",
    "prepare",
    "scan",
]
