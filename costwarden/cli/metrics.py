"""``costwarden metrics export PATH...``: what a utilization source measures, as a metrics file."""

from __future__ import annotations

import argparse
from pathlib import Path

from costwarden.cli import common
from costwarden.cli.world import World
from costwarden.engine.scan import scan
from costwarden.errors import ConfigError
from costwarden.metrics.file import export

HELP = "measured utilization"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="metrics_command", required=True, metavar="ACTION")
    exporter = actions.add_parser("export", help="write what a source measures as a metrics file (CSV)")
    exporter.add_argument("paths", nargs="+", metavar="PATH", help="the inputs whose resources to measure")
    common.add_config(exporter)
    exporter.add_argument("--out", type=Path, help="the CSV file to write (default: stdout)")
    common.add_measured(exporter)


def run(args: argparse.Namespace, world: World) -> int:
    options = common.prepared(args, world, policies=False)
    if not options.metrics:
        raise ConfigError("name a source: --metrics-file, --cloudwatch-region or --prometheus-url")
    result = scan(common.inputs(args, world), options, stdin=world.stdin)
    for problem in result.errors:
        world.say("error", problem)
    for problem in result.warnings:
        world.say("warning", problem)
    rows = {r.cloud_id or r.address: r.utilization for r in result.resources if r.utilization is not None}
    if args.out is None:
        export(rows, world.stdout)
    else:
        with world.path(args.out).open("w", encoding="utf-8", newline="") as stream:
            export(rows, stream)
    return 2 if result.errors else 0
