"""``costwarden baseline create PATH... --out FILE``: record today's violations so only new ones fail."""

from __future__ import annotations

import argparse
from pathlib import Path

from costwarden.cli import common
from costwarden.cli.world import World
from costwarden.engine.scan import scan
from costwarden.suppress.baseline import entries, write_baseline

HELP = "record today's violations so only new ones fail"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="baseline_command", required=True, metavar="ACTION")
    creator = actions.add_parser("create", help="scan and write the violations found to a baseline file")
    common.add_inputs(creator)
    creator.add_argument("--out", type=Path, default=Path(".costwarden-baseline.json"), help="the baseline file")
    common.add_suppressions(creator, baseline=False)
    common.add_policies(creator)
    common.add_measured(creator)


def run(args: argparse.Namespace, world: World) -> int:
    result = scan(common.inputs(args, world), common.prepared(args, world), stdin=world.stdin)
    for problem in result.errors:
        world.say("error", problem)
    if result.errors:
        return 2
    # today's violations: those a baseline already holds stay in it; waived and ignored ones do not
    kept = [*result.violations, *(v for v in result.suppressed if v.suppression and v.suppression.kind == "baseline")]
    found = entries(kept, {r.key: r for r in result.resources})
    write_baseline(world.path(args.out), found)
    print(f"costwarden: wrote {len(found)} violations to {args.out}", file=world.stderr)
    return 0
