"""The run task server's start: the HMAC key from the environment, the scan for each plan, uvicorn."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from costwarden.engine.options import ScanOptions
from costwarden.engine.scan import scan
from costwarden.errors import ConfigError
from costwarden.loaders import Document
from costwarden.model import ScanResult
from costwarden.runtask.journal import JournalError
from costwarden.runtask.settings import Secret, ServeSettings

HMAC_ENV = "COSTWARDEN_HMAC_KEY"
HMAC_FILE_ENV = "COSTWARDEN_HMAC_KEY_FILE"


def hmac_key(environ: Mapping[str, str], cwd: Path) -> Secret | None:
    """From ``COSTWARDEN_HMAC_KEY`` or the file ``COSTWARDEN_HMAC_KEY_FILE`` names; never a flag (ps shows flags)."""
    if HMAC_ENV in environ:
        if not environ[HMAC_ENV].strip():  # an empty key would switch signature checks off
            raise ConfigError(f"{HMAC_ENV} is set but empty: set the key, or unset it to run without one")
        return Secret(environ[HMAC_ENV].encode())
    name = environ.get(HMAC_FILE_ENV)
    if not name:
        return None
    path = Path(name) if Path(name).is_absolute() else cwd / name
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read the HMAC key file: {exc.strerror}", path=path) from None
    if not key:
        raise ConfigError("the HMAC key file is empty", path=path)
    return Secret(key)


def plan_scanner(options: ScanOptions) -> Callable[[bytes], ScanResult]:
    """Each task's plan scanned with the server's prepared options (config, waivers, usage,
    policies, Checkov); waivers expire against the server's clock at each scan."""

    def scan_plan(plan: bytes) -> ScanResult:
        return scan(Document("plan.json", plan, "terraform-plan"), options)

    return scan_plan


def serve(settings: ServeSettings, scanner: Callable[[bytes], ScanResult], host: str, port: int, log_level: str) -> int:
    try:
        import uvicorn

        from costwarden.runtask.app import create_app
    except ImportError:
        raise ConfigError("costwarden serve needs the serve extra: pip install 'costwarden[serve]'") from None
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("asyncio", "uvicorn.error"):  # "Too many open files" at accept, once a second at most
        logging.getLogger(name).addFilter(OncePerSecond())
    try:
        app = create_app(settings, scanner)
    except JournalError as exc:
        raise ConfigError(str(exc)) from None
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        server_header=False,
        limit_concurrency=settings.max_connections,
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=64 * 1024,
    )
    return 0


class OncePerSecond(logging.Filter):
    """Lets one record per message text through each second; the rest are counted in the next."""

    def __init__(self) -> None:
        super().__init__()
        self._last: dict[str, float] = {}
        self._dropped: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = f"{record.name}:{record.msg}"
        now = time.monotonic()
        if now - self._last.get(key, -1.0) < 1.0:
            self._dropped[key] = self._dropped.get(key, 0) + 1
            return False
        self._last[key] = now
        dropped = self._dropped.pop(key, 0)
        if dropped:
            record.msg = f"{record.msg} (and {dropped} more like it in the last second)"
        if len(self._last) > 1000:
            self._last.clear()
        return True
