"""``costwarden cost PATH...``: what the change costs per month, per resource, team and service."""

from __future__ import annotations

import argparse

from costwarden.cli import common
from costwarden.cli.world import World
from costwarden.engine.scan import scan
from costwarden.reports import ReportOptions
from costwarden.reports.cost import breakdown, render_json, render_text

HELP = "what the change costs per month: per resource, team, service"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_inputs(parser)
    parser.add_argument("-o", "--output", choices=["text", "json"], default="text", help="report format")


def run(args: argparse.Namespace, world: World) -> int:
    options = common.prepared(args, world, policies=False)
    result = scan(common.inputs(args, world), options, stdin=world.stdin)
    for problem in result.errors:
        world.say("error", problem)
    data = breakdown(result)
    if args.output == "json":
        render_json(data, world.stdout)
    else:
        render_text(data, world.stdout, ReportOptions(width=world.width, color=world.color()))
    return 2 if result.errors else 0
