"""``costwarden scan PATH... [-o FORMAT[=FILE]]...``: the gate. Exit 0 clean, 1 violations
at the threshold, 2 input or config errors, 3 a report that failed internally."""

from __future__ import annotations

import argparse
import dataclasses
import functools
from pathlib import Path

from costwarden.cli import common
from costwarden.cli.crash import InternalError, log_internal_error
from costwarden.cli.world import World
from costwarden.engine.scan import scan
from costwarden.errors import CostwardenError
from costwarden.gcpause import gc_paused
from costwarden.model import ScanResult
from costwarden.reports import REPORTERS, ReportOptions
from costwarden.reports.diff import diff_against

HELP = "scan plans and manifests against the policies"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = common.EXIT_CODES
    common.add_inputs(parser)
    common.add_outputs(parser, f"{', '.join(sorted(REPORTERS))}, or auto", "auto")
    common.add_gate(parser)
    parser.add_argument("--all", action="store_true", help="text: list every violation")
    parser.add_argument("--compact", action="store_true", help="text: one line per violation")
    parser.add_argument("-v", "--verbose", action="store_true", help="text: list the files skipped, and why")
    parser.add_argument("--template", type=Path, help="markdown: a Jinja2 template in place of the built-in one")
    parser.add_argument("--diff-base", type=Path, metavar="REPORT", help="show only violations new since this report")
    common.add_suppressions(parser)
    common.add_policies(parser)
    common.add_measured(parser)
    common.add_color(parser)


def run(args: argparse.Namespace, world: World) -> int:
    options = common.prepared(args, world)
    result = scan(common.inputs(args, world), options, stdin=world.stdin)
    config = options.config
    at_stake_change = None
    if args.diff_base is not None:
        result, at_stake_change = diff_against(result, world.path(args.diff_base))
    report_options = ReportOptions(
        fail_on=config.fail_on_severity,
        fail_on_cost=config.fail_on_cost,
        fail_on_unevaluated=config.fail_on_unevaluated,
        color=world.color(args.color),
        width=world.width,
        max_rows=None if args.all else 200,
        compact=args.compact,
        verbose=args.verbose,
        root=str(world.cwd),
        template=str(world.path(args.template)) if args.template else None,
        at_stake_change=at_stake_change,
    )
    automatic = "github" if world.environ.get("GITHUB_ACTIONS") == "true" else "text"
    outputs = [
        common.OutputSpec(automatic, o.path) if o.format == "auto" else o
        for o in args.output or [common.OutputSpec("auto", None)]
    ]
    if not any(o.format == "text" and o.path is None for o in outputs):
        for problem in result.errors:
            world.say("error", problem)
    outputs = common.with_terminal(outputs, automatic, args.quiet)
    with gc_paused():
        failures, crashes = write_reports(result, outputs, report_options, world)
    for failure in failures:
        world.say("error", failure)
    if crashes:
        return 3
    return 2 if failures else result.exit_code(config.fail_on_severity, config.fail_on_cost, config.fail_on_unevaluated)


def write_reports(
    result: ScanResult, outputs: list[common.OutputSpec], options: ReportOptions, world: World
) -> tuple[list[CostwardenError], list[InternalError]]:
    """Every output that can be written is: one that cannot is an error (or, for a reporter's
    own bug, an internal error, logged), never a stop for the others."""
    failures: list[CostwardenError] = []
    crashes: list[InternalError] = []
    for spec in outputs:
        reporter = REPORTERS.get(spec.format)
        if reporter is None:
            known = ", ".join(sorted(REPORTERS))
            failures.append(CostwardenError(f"unknown output format {spec.format!r} (one of: {known}, auto)"))
            continue
        chosen = options if spec.path is None else dataclasses.replace(options, color=False)
        try:
            common.deliver(functools.partial(reporter.render, result, options=chosen), spec, world)
        except CostwardenError as exc:
            failures.append(exc)
        except BrokenPipeError:  # the reader of stdout left: main says nothing more
            raise
        except Exception as exc:  # a reporter's bug: logged, and the other outputs still written
            crashes.append(log_internal_error(exc, world, f"the {spec.format} report"))
    return failures, crashes
