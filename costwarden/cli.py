"""The command line: a thin shell over ``costwarden.scan``.

costwarden scan PATH... [-o FORMAT[=FILE]]... [--fail-on SEVERITY] [--fail-on-cost USD]
costwarden policies
costwarden config schema
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

from costwarden._version import __version__
from costwarden.config import Config, config_schema, load_config
from costwarden.engine.scan import scan
from costwarden.errors import ConfigError, CostwardenError
from costwarden.loaders import LOADERS
from costwarden.model import Severity
from costwarden.policies import BUILTIN
from costwarden.reports import REPORTERS, ReportOptions

FAIL_ON_CHOICES = [s.label for s in Severity] + ["never"]


@dataclass(frozen=True)
class World:
    """Everything outside the process that the CLI touches, passed in so tests can set it."""

    stdout: TextIO
    stderr: TextIO
    stdin: BinaryIO
    environ: Mapping[str, str]
    cwd: Path


@dataclass(frozen=True)
class OutputSpec:
    format: str
    path: Path | None


def _output(text: str) -> OutputSpec:
    name, _, target = text.partition("=")
    if name not in REPORTERS:
        known = ", ".join(sorted(REPORTERS))
        raise argparse.ArgumentTypeError(f"unknown output format {name!r} (one of: {known})")
    return OutputSpec(name, Path(target) if target else None)


def _usd(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an amount in USD: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be zero or more")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="costwarden",
        description="FinOps policy-as-code for AI workloads: every violation priced per month.",
    )
    parser.add_argument("--version", action="version", version=f"costwarden {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("scan", help="scan plans and manifests against the policies")
    run.add_argument("paths", nargs="+", metavar="PATH", help="files, directories, or - for stdin")
    run.add_argument("-c", "--config", type=Path, help="config file (default: discovered in .)")
    run.add_argument("--format", choices=sorted(LOADERS), help="read every input as this format")
    run.add_argument(
        "-o",
        "--output",
        type=_output,
        action="append",
        metavar="FORMAT[=FILE]",
        help=f"report format ({', '.join(sorted(REPORTERS))}), to FILE or stdout; repeatable",
    )
    run.add_argument("--fail-on", choices=FAIL_ON_CHOICES, help="exit 1 at this severity (high)")
    run.add_argument("--fail-on-cost", type=_usd, metavar="USD", help="exit 1 at this monthly impact")
    run.add_argument("--all", action="store_true", help="text: list every violation")
    color = run.add_mutually_exclusive_group()
    color.add_argument("--color", dest="color", action="store_true", default=None)
    color.add_argument("--no-color", dest="color", action="store_false")

    commands.add_parser("policies", help="list the built-in policies")
    config = commands.add_parser("config", help="configuration helpers")
    config_commands = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    config_commands.add_parser("schema", help="print the JSON Schema of .costwarden.yaml")
    return parser


def main(argv: Sequence[str] | None = None, world: World | None = None) -> int:
    world = world or World(sys.stdout, sys.stderr, sys.stdin.buffer, os.environ, Path.cwd())
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.command == "scan":
            return _scan(args, world)
        if args.command == "policies":
            return _policies(world)
        json.dump(config_schema(), world.stdout, indent=2)
        world.stdout.write("\n")
        return 0
    except CostwardenError as exc:
        print(f"costwarden: error: {exc}", file=world.stderr)
        return 2
    except BrokenPipeError:  # `costwarden ... | head`: the reader left, nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _config(args: argparse.Namespace, world: World) -> Config:
    path = args.config
    if path is not None and not path.is_absolute():
        path = world.cwd / path
    if path is not None and not path.is_file():
        raise ConfigError("config file not found", path=args.config)
    config = load_config(path, cwd=world.cwd)
    overrides: dict[str, object] = {}
    if args.fail_on:
        overrides["fail_on"] = args.fail_on
    if args.fail_on_cost is not None:
        overrides["fail_on_cost"] = args.fail_on_cost
    return config.model_copy(update=overrides) if overrides else config


def _scan(args: argparse.Namespace, world: World) -> int:
    config = _config(args, world)
    result = scan(
        [_resolve(path, world) for path in args.paths],
        config,
        input_format=args.format,
        stdin=world.stdin,
    )
    tty = world.stdout.isatty()
    color = args.color if args.color is not None else tty and "NO_COLOR" not in world.environ
    width = int(world.environ.get("COLUMNS", "0") or 0) or (os.get_terminal_size().columns if tty else 120)
    options = ReportOptions(
        fail_on=config.fail_on_severity,
        fail_on_cost=config.fail_on_cost,
        color=color,
        width=width,
        max_rows=None if args.all else 200,
    )
    outputs = args.output or [OutputSpec("text", None)]
    text_on_stdout = any(o.format == "text" and o.path is None for o in outputs)
    if not text_on_stdout:
        for problem in result.errors:
            print(f"costwarden: error: {problem}", file=world.stderr)
    for spec in outputs:
        reporter = REPORTERS[spec.format]
        if spec.path is None:
            reporter.render(result, world.stdout, options)
            continue
        target = spec.path if spec.path.is_absolute() else world.cwd / spec.path
        try:
            with target.open("w", encoding="utf-8") as stream:
                reporter.render(result, stream, ReportOptions(**{**options.__dict__, "color": False}))
        except OSError as exc:
            raise CostwardenError(f"cannot write report: {exc.strerror}", path=spec.path) from None
    return result.exit_code(config.fail_on_severity, config.fail_on_cost)


def _resolve(path: str, world: World) -> str:
    """Paths as the user typed them, so reports show them that way, unless cwd is injected."""
    if path == "-" or Path(path).is_absolute() or world.cwd.resolve() == Path.cwd().resolve():
        return path
    return str(world.cwd / path)


def _policies(world: World) -> int:
    for policy in BUILTIN:
        summary = policy.doc.splitlines()[0] if policy.doc else policy.title
        print(
            f"{policy.id}  {policy.name:<32} {policy.severity.label:<8} {summary}",
            file=world.stdout,
        )
    return 0
