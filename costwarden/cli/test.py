"""``costwarden test [DIR...]``: Rego ``*_test.rego`` with line coverage, and Python policy tests."""

from __future__ import annotations

import argparse
from pathlib import Path

from costwarden.cli.world import World
from costwarden.engine.prepare import load_data
from costwarden.errors import ConfigError
from costwarden.rego.testing import run_tests

HELP = "run Rego (*_test.rego) and Python policy tests"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, metavar="DIR", help="policy directories (default: .)")
    parser.add_argument("--threshold", type=float, default=0.0, help="fail below this Rego line coverage (percent)")
    parser.add_argument("--no-python", action="store_true", help="run only the Rego tests")
    parser.add_argument("-d", "--data", type=Path, action="append", default=[], help="data file or folder (JSON, YAML)")


def run(args: argparse.Namespace, world: World) -> int:
    paths = [world.path(p) for p in (args.paths or [Path()])]
    for path in paths:
        if not path.exists():
            raise ConfigError("not found", path=path)
    data = load_data([world.path(p) for p in args.data])
    report = run_tests(paths, python=not args.no_python, data=data)
    for error in report.errors:
        world.say("error", error)
    if report.python_not_run:
        world.say("warning", report.python_not_run)
    for outcome in report.outcomes:
        mark = "PASS" if outcome.passed else "FAIL"
        print(f"{mark} {outcome.name}" + (f": {outcome.detail}" if outcome.detail else ""), file=world.stdout)
    coverage = f", coverage {report.coverage:.1f}%" if report.coverage is not None else ""
    print(f"{report.passed} passed, {report.failed} failed{coverage}", file=world.stdout)
    if report.errors:
        return 2
    below = report.coverage is not None and report.coverage < args.threshold
    if below:
        print(f"coverage {report.coverage:.1f}% is below the threshold {args.threshold:g}%", file=world.stdout)
    failed = report.failed or below or (report.python_exit not in (None, 0))
    return 1 if failed else 0
