"""``costwarden github-action``: the Action's scan step, from ``INPUT_*`` and ``GITHUB_*`` variables.

It is ``costwarden scan`` with the arguments the inputs stand for, run in the workspace, then
the step summary and outputs from the reports that scan wrote.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from costwarden.cli import scan
from costwarden.cli.world import World
from costwarden.integrations import github

HELP = "the GitHub Action's scan step (reads INPUT_* and GITHUB_* variables)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No flags: the Action's inputs arrive as environment variables."""


def run(args: argparse.Namespace, world: World) -> int:
    environ = world.environ
    workspace = Path(environ.get("GITHUB_WORKSPACE") or world.cwd)
    out = Path(environ.get("RUNNER_TEMP") or workspace) / "costwarden"
    out.mkdir(parents=True, exist_ok=True)
    parser = argparse.ArgumentParser(prog="costwarden scan")
    scan.add_arguments(parser)
    scan_args = parser.parse_args(github.action_arguments(environ, out))
    code = scan.run(scan_args, dataclasses.replace(world, cwd=workspace))
    github.publish(environ, out, code)
    return code
