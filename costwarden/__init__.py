"""costwarden: FinOps policy-as-code for AI workloads, every violation priced per month.

>>> import costwarden
>>> options = costwarden.prepare(".costwarden.yaml")   # doctest: +SKIP
>>> result = costwarden.scan(["plan.json"], options)   # doctest: +SKIP
>>> result.exit_code(costwarden.Severity.HIGH)         # doctest: +SKIP
"""

from costwarden._version import __version__
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
