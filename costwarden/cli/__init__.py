"""The command line: ``main(argv=None, world=None) -> int``, one module per command.

Each command module has ``HELP``, ``add_arguments(parser)`` and ``run(args, world) -> int`` and
is listed in ``COMMANDS``. Errors are handled once, here: a ``CostwardenError`` (the user's to
fix) is one line and exit 2; anything else is a bug: one line, the traceback logged, exit 3.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import sys
from collections.abc import Sequence
from typing import Protocol

from costwarden._version import __version__
from costwarden.cli import (
    baseline,
    config,
    conftest,
    cost,
    github_action,
    metrics,
    parse,
    policies,
    prices,
    scan,
    serve,
    test,
)
from costwarden.cli.common import EXIT_CODES
from costwarden.cli.crash import DEBUG_ENV, log_internal_error
from costwarden.cli.world import World
from costwarden.errors import CostwardenError

__all__ = ["COMMANDS", "Command", "World", "main"]


class Command(Protocol):
    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace, world: World) -> int: ...


COMMANDS: dict[str, Command] = {
    "scan": scan,
    "cost": cost,
    "policies": policies,
    "parse": parse,
    "config": config,
    "prices": prices,
    "test": test,
    "conftest": conftest,
    "metrics": metrics,
    "baseline": baseline,
    "serve": serve,
    "github-action": github_action,
}

INTERRUPTED = 130
BROKEN_PIPE = 141
"""128 + SIGPIPE, what a process killed by a closed pipe reports."""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="costwarden",
        description="FinOps policy-as-code for AI workloads: every violation priced per month.",
        epilog=EXIT_CODES,
        allow_abbrev=False,
    )
    top.add_argument("--version", action="version", version=f"costwarden {__version__}")
    top.add_argument("--debug", action="store_true", help=f"tracebacks on stderr (or set {DEBUG_ENV}=1)")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        # no abbreviations: --check is --check, never a prefix of --checkov-check
        sub = commands.add_parser(name, help=command.HELP, description=command.HELP, allow_abbrev=False)
        command.add_arguments(sub)
    return top


def _files_after_flags(args: argparse.Namespace, extra: list[str]) -> bool:
    """conftest takes files after its flags too (``test -p policy a.yaml --parser ini b.ini``)."""
    if args.command != "conftest" or not isinstance(getattr(args, "files", None), list):
        return False
    if any(item.startswith("-") and item != "-" for item in extra):
        return False
    args.files += extra
    return True


def main(argv: Sequence[str] | None = None, world: World | None = None) -> int:
    world = world or World.real()
    try:
        try:
            with contextlib.redirect_stdout(world.stdout), contextlib.redirect_stderr(world.stderr):
                top = parser()
                args, extra = top.parse_known_args(argv)
                if extra and not _files_after_flags(args, extra):
                    top.error(f"unrecognized arguments: {' '.join(extra)}")
        except SystemExit as exc:  # --help, --version, or a usage error argparse has printed
            return int(exc.code or 0)
        if args.debug:
            world = dataclasses.replace(world, environ={**world.environ, DEBUG_ENV: "1"})
        return COMMANDS[args.command].run(args, world)
    except CostwardenError as exc:
        world.say("error", exc)
        return 2
    except KeyboardInterrupt:
        print("costwarden: interrupted", file=world.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # the reader left (| head): nothing more to say, and nothing to flush
        if world.stdout is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE
    except Exception as exc:  # a bug: one line, the traceback logged
        log_internal_error(exc, world)
        return 3
