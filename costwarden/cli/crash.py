"""What happens on a bug: one line on stderr, exit 3, and the traceback in a log file that line
names (or on stderr under ``--debug`` / ``COSTWARDEN_DEBUG=1``), as pre-commit does."""

from __future__ import annotations

import datetime as dt
import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from costwarden._version import __version__
from costwarden.cli.world import World, one_line

DEBUG_ENV = "COSTWARDEN_DEBUG"
LOG_LIMIT = 1 << 20
"""A log past this size starts afresh, so it never grows without bound."""


@dataclass(frozen=True)
class InternalError:
    summary: str
    """``Type: message``, one line."""


def debugging(environ: Mapping[str, str]) -> bool:
    return environ.get(DEBUG_ENV, "") not in ("", "0")


def log_path(environ: Mapping[str, str]) -> Path:
    """``$XDG_CACHE_HOME/costwarden/costwarden.log``, else ``~/.cache/costwarden/costwarden.log``."""
    cache = environ.get("XDG_CACHE_HOME") or str(Path(environ.get("HOME") or Path.home()) / ".cache")
    return Path(cache) / "costwarden" / "costwarden.log"


def log_internal_error(exc: BaseException, world: World, during: str = "") -> InternalError:
    message = (str(exc).splitlines() or [""])[0][:500]
    summary = one_line(f"{type(exc).__name__}: {message}" if message else type(exc).__name__)
    trace = "".join(traceback.format_exception(exc))
    where = _write_log(trace, world) if not debugging(world.environ) else None
    if where is None:
        world.stderr.write(trace)
    told = f"traceback in {where}" if where else "traceback above"
    context = f" in {during}" if during else ""
    print(f"costwarden: internal error{context}: {summary} ({told}; please report it)", file=world.stderr)
    return InternalError(summary)


def _write_log(trace: str, world: World) -> Path | None:
    path = log_path(world.environ)
    header = f"--- {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} costwarden {__version__}"
    header += f", Python {sys.version.split()[0]}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = "w" if path.is_file() and path.stat().st_size > LOG_LIMIT else "a"
        with path.open(mode, encoding="utf-8") as log:
            log.write(header + trace)
    except OSError:
        return None
    return path
