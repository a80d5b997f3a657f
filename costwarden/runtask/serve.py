"""``costwarden serve``: settings from the command line and environment, then uvicorn."""

from __future__ import annotations

import argparse
import logging
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from costwarden.config import Config
from costwarden.engine.scan import scan
from costwarden.errors import ConfigError
from costwarden.integrations.checkov import CheckovOptions
from costwarden.loaders import Document
from costwarden.model import ScanResult, Severity
from costwarden.policies.base import Policy
from costwarden.rego.run import RegoOptions
from costwarden.runtask.settings import DEFAULT_HOST, Origin, Secret, ServeSettings

HMAC_ENV = "COSTWARDEN_HMAC_KEY"
HMAC_FILE_ENV = "COSTWARDEN_HMAC_KEY_FILE"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (default: 8080)")
    parser.add_argument("--path", default="/runtask", help="the run task URL path (default: /runtask)")
    parser.add_argument("--journal", type=Path, default=Path("costwarden-journal.sqlite3"), help="SQLite journal")
    parser.add_argument(
        "--tfc-host",
        action="append",
        default=[],
        metavar="HOST",
        help="a Terraform Cloud/Enterprise host the run token may go to (repeatable; default: app.terraform.io)",
    )
    parser.add_argument("--organization", action="append", default=[], help="only this organization (repeatable)")
    parser.add_argument("--workspace", action="append", default=[], help="only this workspace (repeatable)")
    parser.add_argument(
        "--advisory-fail-on", metavar="SEVERITY", help="threshold for advisory tasks, or never (default: fail-on)"
    )
    parser.add_argument("--max-body-bytes", type=int, default=1 << 20, help="larger requests get 413 (default: 1 MiB)")
    parser.add_argument("--workers", type=int, default=2, help="tasks worked on at once (default: 2)")
    parser.add_argument("--details-url", default="", help="callback url: a template with {run_id}, {task_result_id}")
    parser.add_argument("--progress-seconds", type=float, default=240.0, help="running updates every N s (240)")
    parser.add_argument("--backoff-seconds", type=float, default=0.5, help="first callback retry delay (0.5)")
    parser.add_argument("--plan-wait-seconds", type=float, default=30.0, help="wait for an unfinished plan (30)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])


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


def settings_from(args: argparse.Namespace, config: Config, environ: Mapping[str, str], cwd: Path) -> ServeSettings:
    if not args.path.startswith("/"):
        raise ConfigError(f"--path must start with '/': {args.path!r}")
    if args.workers < 1 or args.max_body_bytes < 1024:
        raise ConfigError("--workers must be at least 1 and --max-body-bytes at least 1024")
    hosts = tuple(Origin.parse(host) for host in args.tfc_host or [DEFAULT_HOST])
    fail_on = config.fail_on_severity
    advisory = fail_on
    if args.advisory_fail_on == "never":
        advisory = None
    elif args.advisory_fail_on:
        try:
            advisory = Severity.parse(args.advisory_fail_on)
        except ValueError as exc:
            raise ConfigError(f"--advisory-fail-on: {exc}") from None
    return ServeSettings(
        journal=args.journal if args.journal.is_absolute() else cwd / args.journal,
        hmac_key=hmac_key(environ, cwd),
        tfc_hosts=hosts,
        path=args.path,
        organizations=frozenset(args.organization),
        workspaces=frozenset(args.workspace),
        max_body_bytes=args.max_body_bytes,
        workers=args.workers,
        fail_on=fail_on,
        advisory_fail_on=advisory,
        fail_on_cost=config.fail_on_cost,
        details_url=args.details_url,
        progress_seconds=args.progress_seconds,
        backoff_seconds=args.backoff_seconds,
        plan_wait_seconds=args.plan_wait_seconds,
    )


def plan_scanner(
    config: Config, policies: list[Policy], rego: RegoOptions, checkov: CheckovOptions | None = None
) -> Callable[[bytes], ScanResult]:
    def scan_plan(plan: bytes) -> ScanResult:
        if checkov is None:
            return scan(Document("plan.json", plan, "terraform-plan"), config, policies=policies, rego=rego)
        with tempfile.TemporaryDirectory(prefix="costwarden-") as folder:  # Checkov reads files
            path = Path(folder) / "plan.json"
            path.write_bytes(plan)
            return scan(path, config, policies=policies, rego=rego, checkov=checkov, input_format="terraform-plan")

    return scan_plan


def run(settings: ServeSettings, scanner: Callable[[bytes], ScanResult], host: str, port: int, log_level: str) -> int:
    try:
        import uvicorn

        from costwarden.runtask.app import create_app
    except ImportError:
        raise ConfigError("costwarden serve needs the serve extra: pip install 'costwarden[serve]'") from None
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings, scanner)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False, server_header=False)
    return 0
