"""The errors a user can cause. Each is caught once, at the top, and shown as one line."""

from __future__ import annotations

from pathlib import Path


class CostwardenError(Exception):
    """A problem the user can fix: bad input, bad config, a broken policy.

    ``str()`` gives one line naming the file, the line when known, and the cause.
    """

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        self.message = message.replace("\r", "\\r").replace("\n", "\\n")  # always one line
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}" if where else self.message


class ConfigError(CostwardenError):
    """The configuration file or a command-line option is invalid."""


class LoadError(CostwardenError):
    """An input file could not be read or is not what it claims to be."""


class PolicyError(CostwardenError):
    """A policy could not be loaded or failed while evaluating."""


class CatalogError(CostwardenError):
    """A price catalog is missing or malformed."""


class MetricsError(CostwardenError):
    """A utilization source could not be read."""
