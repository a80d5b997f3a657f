"""costwarden: FinOps policy-as-code for AI workloads, every violation priced per month.

>>> import costwarden
>>> result = costwarden.scan(["plan.json"])          # doctest: +SKIP
>>> result.exit_code(costwarden.Severity.HIGH)      # doctest: +SKIP
"""

from costwarden._version import __version__
from costwarden.config import Config, load_config
from costwarden.engine.scan import scan
from costwarden.errors import CostwardenError
from costwarden.loaders import Document
from costwarden.model import (
    CatalogInfo,
    Compute,
    CostImpact,
    Gpu,
    Location,
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
    "Problem",
    "Remedy",
    "Resource",
    "ResourceCost",
    "Scaling",
    "ScanResult",
    "Severity",
    "SuppressOptions",
    "Suppression",
    "Totals",
    "Violation",
    "__version__",
    "load_config",
    "scan",
]
