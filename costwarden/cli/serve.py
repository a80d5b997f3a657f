"""``costwarden serve``: the HCP Terraform / Terraform Enterprise run task server.

It prepares its scan once, at start-up, as ``costwarden scan`` would from the same folder and
flags (config, waivers, usage, policies, Rego, Checkov, metrics); waivers expire against the
server's clock at each task.
"""

from __future__ import annotations

import argparse
import string
from pathlib import Path

from costwarden.cli import common
from costwarden.cli.world import World
from costwarden.config import Config
from costwarden.errors import ConfigError
from costwarden.model import Severity
from costwarden.runtask.serve import hmac_key, plan_scanner, serve
from costwarden.runtask.settings import DEFAULT_HOST, Origin, ServeSettings

HELP = "an HCP Terraform / Terraform Enterprise run task server"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_inputs(parser, paths=False)
    common.add_gate(parser, what="fail tasks")
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
    parser.add_argument("--max-plan-bytes", type=int, default=256 << 20, help="a larger plan fails its task (256 MiB)")
    parser.add_argument(
        "--plan-deadline-seconds", type=float, default=300.0, help="the whole plan download, at most (300)"
    )
    parser.add_argument("--max-connections", type=int, default=200, help="connections served at once (200)")
    parser.add_argument("--body-seconds", type=float, default=10.0, help="a request body must arrive within (10)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    common.add_suppressions(parser)
    common.add_policies(parser)
    common.add_measured(parser)


def run(args: argparse.Namespace, world: World) -> int:
    options = common.prepared(args, world, clock=False)
    settings = settings_from(args, options.config, world)
    return serve(settings, plan_scanner(options), args.host, args.port, args.log_level)


def settings_from(args: argparse.Namespace, config: Config, world: World) -> ServeSettings:
    if not args.path.startswith("/"):
        raise ConfigError(f"--path must start with '/': {args.path!r}")
    if args.workers < 1 or args.max_body_bytes < 1024:
        raise ConfigError("--workers must be at least 1 and --max-body-bytes at least 1024")
    if args.max_plan_bytes < 1024 or args.plan_deadline_seconds <= 0 or args.max_connections < 1:
        raise ConfigError(
            "--max-plan-bytes must be at least 1024, --plan-deadline-seconds and --max-connections above 0"
        )
    _check_details_url(args.details_url)
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
        journal=world.path(args.journal),
        hmac_key=hmac_key(world.environ, world.cwd),
        tfc_hosts=hosts,
        path=args.path,
        organizations=frozenset(args.organization),
        workspaces=frozenset(args.workspace),
        max_body_bytes=args.max_body_bytes,
        workers=args.workers,
        fail_on=fail_on,
        advisory_fail_on=advisory,
        fail_on_cost=config.fail_on_cost,
        fail_on_unevaluated=config.fail_on_unevaluated,
        details_url=args.details_url,
        progress_seconds=args.progress_seconds,
        backoff_seconds=args.backoff_seconds,
        plan_wait_seconds=args.plan_wait_seconds,
        max_plan_bytes=args.max_plan_bytes,
        plan_deadline_seconds=args.plan_deadline_seconds,
        max_connections=args.max_connections,
        body_seconds=args.body_seconds,
    )


DETAILS_FIELDS = frozenset({"run_id", "task_result_id", "workspace"})


def _check_details_url(template: str) -> None:
    """At start-up, not at the first task: only the known ``{fields}``, and a URL."""
    try:
        fields = {name for _, name, spec, conversion in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ConfigError(f"--details-url: {exc}") from None
    unknown = sorted(fields - DETAILS_FIELDS)
    if unknown:
        raise ConfigError(f"--details-url: unknown field {{{unknown[0]}}} (known: run_id, task_result_id, workspace)")
    if template and not template.startswith(("https://", "http://")):
        raise ConfigError("--details-url must be an http(s) URL")
