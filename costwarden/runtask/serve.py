"""The run task server's start: the HMAC key from the environment, the scan for each plan, uvicorn."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path

from costwarden.engine.options import ScanOptions
from costwarden.engine.scan import scan
from costwarden.errors import ConfigError
from costwarden.loaders import Document
from costwarden.model import ScanResult
from costwarden.runtask.settings import Secret, ServeSettings

HMAC_ENV = "COSTWARDEN_HMAC_KEY"
HMAC_FILE_ENV = "COSTWARDEN_HMAC_KEY_FILE"


def hmac_key(environ: Mapping[str, str], cwd: Path) -> Secret | None:
    """From ``COSTWARDEN_HMAC_KEY`` or the file ``COSTWARDEN_HMAC_KEY_FILE`` names; never a flag (ps shows flags)."""
    if environ.get(HMAC_ENV):
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
    app = create_app(settings, scanner)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False, server_header=False)
    return 0
