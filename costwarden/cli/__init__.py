"""The command line: ``main(argv=None, world=None) -> int``, one module per command.

Each command module has ``HELP``, ``add_arguments(parser)`` and ``run(args, world) -> int`` and
is listed in ``COMMANDS``. Errors are handled once, here: a ``CostwardenError`` (the user's to
fix) is one line and exit 2; anything else is a bug: one line, the traceback logged, exit 3.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Protocol

from costwarden._version import __version__
from costwarden.cli.crash import DEBUG_ENV, log_internal_error
from costwarden.cli.world import World
from costwarden.errors import CostwardenError

EXIT_CODES = (
    "exit codes: 0 clean; 1 violations reach --fail-on or --fail-on-cost (or, with --fail-on-unevaluated, "
    "something was not evaluated); "
    "2 usage, config or input error; 3 internal error (a bug: the traceback is logged); 130 interrupted"
)

__all__ = ["COMMANDS", "Command", "World", "main"]


class Command(Protocol):
    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace, world: World) -> int: ...


COMMANDS: dict[str, str] = {
    "scan": "scan plans and manifests against the policies",
    "cost": "what the change costs per month: per resource, team, service",
    "policies": "list the policies a scan would run (built-in, and the user's from the config and --policy)",
    "parse": "print the input a Rego policy gets (input.resources) for these files, as JSON",
    "config": "configuration helpers",
    "prices": "price catalogs",
    "test": "run Rego (*_test.rego) and Python policy tests",
    "conftest": "conftest's test, verify and parse: the same policies, inputs, results and exit codes",
    "metrics": "measured utilization",
    "baseline": "record today's violations so only new ones fail",
    "serve": "an HCP Terraform / Terraform Enterprise run task server",
    "github-action": "the GitHub Action's scan step (reads INPUT_* and GITHUB_* variables)",
}
"""Every command and its help. Each is the module ``costwarden.cli.NAME`` (``-`` as ``_``), a
``Command``, imported only when it is the one run, so ``--version`` imports none of them."""


def command(name: str) -> Command:
    module: Command = importlib.import_module(f"costwarden.cli.{name.replace('-', '_')}")
    return module


INTERRUPTED = 130
BROKEN_PIPE = 141
"""128 + SIGPIPE, what a process killed by a closed pipe reports."""


def parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; ``only``: add just that command's arguments (the one being run), or
    none with ``""`` (``--version``, ``--help``), so the others are never imported."""
    top = argparse.ArgumentParser(
        prog="costwarden",
        description="FinOps policy-as-code for AI workloads: every violation priced per month.",
        epilog=EXIT_CODES,
        allow_abbrev=False,
    )
    top.add_argument("--version", action="version", version=f"costwarden {__version__}")
    top.add_argument("--debug", action="store_true", help=f"tracebacks on stderr (or set {DEBUG_ENV}=1)")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        # no abbreviations: --check is --check, never a prefix of --checkov-check
        sub = commands.add_parser(name, help=help_text, description=help_text, allow_abbrev=False)
        if only is None or name == only:
            command(name).add_arguments(sub)
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
                given = list(sys.argv[1:] if argv is None else argv)
                chosen = next((a for a in given if not a.startswith("-")), "")
                top = parser(chosen if chosen in COMMANDS else "")
                args, extra = top.parse_known_args(given)
                if extra and not _files_after_flags(args, extra):
                    top.error(f"unrecognized arguments: {' '.join(extra)}")
        except SystemExit as exc:  # --help, --version, or a usage error argparse has printed
            return int(exc.code or 0)
        if args.debug:
            world = dataclasses.replace(world, environ={**world.environ, DEBUG_ENV: "1"})
        return command(args.command).run(args, world)
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
