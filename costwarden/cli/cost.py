"""``costwarden cost PATH...``: what the change costs per month, per resource, team and service,
with the same output, colour and threshold flags as ``scan``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from costwarden.cli import common
from costwarden.cli.world import World
from costwarden.engine.scan import scan
from costwarden.errors import CostwardenError
from costwarden.reports import ReportOptions
from costwarden.reports.cost import Breakdown, breakdown, load_base, render_json, render_markdown, render_text

HELP = "what the change costs per month: per resource, team, service"
FORMATS = ("text", "json", "markdown")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_inputs(parser)
    common.add_outputs(parser, ", ".join(FORMATS), "text")
    parser.add_argument("--breakdown", action="store_true", help="text: each resource's quantity x unit price lines")
    parser.add_argument(
        "--fail-on-cost", type=common.usd, metavar="USD", help="exit 1 when the monthly change reaches USD"
    )
    parser.add_argument("--diff-base", type=Path, metavar="REPORT", help="an earlier `cost -o json`: the before")
    common.add_color(parser)


def run(args: argparse.Namespace, world: World) -> int:
    options = common.prepared(args, world, policies=False)
    result = scan(common.inputs(args, world), options, stdin=world.stdin)
    for problem in result.errors:
        world.say("error", problem)
    base = load_base(world.path(args.diff_base)) if args.diff_base else None
    data = breakdown(result, base, str(args.diff_base) if args.diff_base else None)
    outputs = common.with_terminal(list(args.output or [common.OutputSpec("text", None)]), "text", args.quiet)
    failures = 0
    for spec in outputs:
        try:
            _write(data, spec, args, world)
        except CostwardenError as exc:
            world.say("error", exc)
            failures += 1
    if result.errors or failures:
        return 2
    return 1 if args.fail_on_cost is not None and data.total.change >= args.fail_on_cost else 0


def _write(data: Breakdown, spec: common.OutputSpec, args: argparse.Namespace, world: World) -> None:
    if spec.format not in FORMATS:
        raise CostwardenError(f"unknown output format {spec.format!r} (one of: {', '.join(FORMATS)})")

    def render(stream: TextIO) -> None:
        if spec.format == "json":
            render_json(data, stream)
        elif spec.format == "markdown":
            render_markdown(data, stream)
        else:
            color = world.color(args.color) if spec.path is None else False
            render_text(data, stream, ReportOptions(width=world.width, color=color, verbose=args.breakdown))

    common.deliver(render, spec, world)
