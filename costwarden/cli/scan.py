"""``costwarden scan PATH... [-o FORMAT[=FILE]]...``: the gate. Exit 0 clean, 1 violations
at the threshold, 2 input or config errors, 3 a report that failed internally."""

from __future__ import annotations

import argparse
import dataclasses
import io
from dataclasses import dataclass
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


@dataclass(frozen=True)
class OutputSpec:
    format: str
    path: Path | None


def output_spec(text: str) -> OutputSpec:
    """``FORMAT[=FILE]``; an unknown format is reported when the reports are written, so the
    other outputs of the run still are."""
    name, _, target = text.partition("=")
    return OutputSpec(name, Path(target) if target else None)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = common.EXIT_CODES
    common.add_inputs(parser)
    parser.add_argument(
        "-o",
        "--output",
        type=output_spec,
        action="append",
        metavar="FORMAT[=FILE]",
        help=(
            f"report format ({', '.join(sorted(REPORTERS))}, or auto), to FILE or stdout; repeatable. "
            "When every -o names a FILE, the terminal report (auto) is still printed unless --quiet"
        ),
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="with -o FORMAT=FILE only: print no report to the terminal"
    )
    common.add_gate(parser)
    parser.add_argument("--all", action="store_true", help="text: list every violation")
    parser.add_argument("--compact", action="store_true", help="text: one line per violation")
    parser.add_argument("-v", "--verbose", action="store_true", help="text: list the files skipped, and why")
    parser.add_argument("--template", type=Path, help="markdown: a Jinja2 template in place of the built-in one")
    parser.add_argument("--diff-base", type=Path, metavar="REPORT", help="show only violations new since this report")
    common.add_suppressions(parser)
    common.add_policies(parser)
    common.add_measured(parser)
    color = parser.add_mutually_exclusive_group()
    color.add_argument("--color", dest="color", action="store_true", default=None)
    color.add_argument("--no-color", dest="color", action="store_false")


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
        OutputSpec(automatic, o.path) if o.format == "auto" else o for o in args.output or [OutputSpec("auto", None)]
    ]
    if not any(o.format == "text" and o.path is None for o in outputs):
        for problem in result.errors:
            world.say("error", problem)
    if all(o.path is not None for o in outputs) and not args.quiet:
        outputs.append(OutputSpec(automatic, None))  # files are written, and the terminal still sees the verdict
    with gc_paused():
        failures, crashes = write_reports(result, outputs, report_options, world)
    for failure in failures:
        world.say("error", failure)
    if crashes:
        return 3
    return 2 if failures else result.exit_code(config.fail_on_severity, config.fail_on_cost, config.fail_on_unevaluated)


def write_reports(
    result: ScanResult, outputs: list[OutputSpec], options: ReportOptions, world: World
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
        buffer = io.StringIO()
        try:
            reporter.render(result, buffer, options if spec.path is None else dataclasses.replace(options, color=False))
        except CostwardenError as exc:
            failures.append(exc)
            continue
        except Exception as exc:  # a reporter's bug: logged, and the other outputs still written
            crashes.append(log_internal_error(exc, world, f"the {spec.format} report"))
            continue
        if spec.path is None:
            world.stdout.write(buffer.getvalue())
            continue
        try:
            world.path(spec.path).write_text(buffer.getvalue(), encoding="utf-8")
        except OSError as exc:
            failures.append(CostwardenError(f"cannot write report: {exc.strerror}", path=spec.path))
    return failures, crashes
