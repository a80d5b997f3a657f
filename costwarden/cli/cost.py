"""``costwarden cost PATH...``: what the change costs per month, per resource, team and service,
with the same output, colour and threshold flags as ``scan``."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from costwarden.cli import common
from costwarden.cli.scan import OutputSpec, output_spec
from costwarden.cli.world import World
from costwarden.engine.scan import scan
from costwarden.errors import CostwardenError
from costwarden.reports import ReportOptions
from costwarden.reports.cost import Breakdown, breakdown, load_base, render_json, render_markdown, render_text

HELP = "what the change costs per month: per resource, team, service"
FORMATS = ("text", "json", "markdown")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_inputs(parser)
    parser.add_argument(
        "-o",
        "--output",
        type=output_spec,
        action="append",
        metavar="FORMAT[=FILE]",
        help=f"report format ({', '.join(FORMATS)}), to FILE or stdout; repeatable. When every -o names a "
        "FILE, the text report is still printed unless --quiet",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="with -o FORMAT=FILE only: print no report")
    parser.add_argument("--breakdown", action="store_true", help="text: each resource's quantity x unit price lines")
    parser.add_argument(
        "--fail-on-cost", type=common.usd, metavar="USD", help="exit 1 when the monthly change reaches USD"
    )
    parser.add_argument("--diff-base", type=Path, metavar="REPORT", help="an earlier `cost -o json`: the before")
    color = parser.add_mutually_exclusive_group()
    color.add_argument("--color", dest="color", action="store_true", default=None)
    color.add_argument("--no-color", dest="color", action="store_false")


def run(args: argparse.Namespace, world: World) -> int:
    options = common.prepared(args, world, policies=False)
    result = scan(common.inputs(args, world), options, stdin=world.stdin)
    for problem in result.errors:
        world.say("error", problem)
    base = load_base(world.path(args.diff_base)) if args.diff_base else None
    data = breakdown(result, base, str(args.diff_base) if args.diff_base else None)
    outputs = list(args.output or [OutputSpec("text", None)])
    if all(o.path is not None for o in outputs) and not args.quiet:
        outputs.append(OutputSpec("text", None))
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


def _write(data: Breakdown, spec: OutputSpec, args: argparse.Namespace, world: World) -> None:
    if spec.format not in FORMATS:
        raise CostwardenError(f"unknown output format {spec.format!r} (one of: {', '.join(FORMATS)})")
    buffer = io.StringIO()
    if spec.format == "json":
        render_json(data, buffer)
    elif spec.format == "markdown":
        render_markdown(data, buffer)
    else:
        color = world.color(args.color) if spec.path is None else False
        render_text(data, buffer, ReportOptions(width=world.width, color=color, verbose=args.breakdown))
    if spec.path is None:
        world.stdout.write(buffer.getvalue())
        return
    try:
        world.path(spec.path).write_text(buffer.getvalue(), encoding="utf-8")
    except OSError as exc:
        raise CostwardenError(f"cannot write report: {exc.strerror}", path=spec.path) from None
