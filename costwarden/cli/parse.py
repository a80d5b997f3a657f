"""``costwarden parse PATH...``: the exact ``input`` a Rego policy gets, and what a Python policy's
``Resource`` holds, as JSON: for writing a first policy against what is really there
(``conftest parse`` does the same for conftest's raw documents: ``costwarden conftest parse``)."""

from __future__ import annotations

import argparse
import json

from costwarden.cli import common
from costwarden.cli.world import World
from costwarden.engine.scan import scan
from costwarden.rego.normalize import scan_input

HELP = "print the input a Rego policy gets (input.resources) for these files, as JSON"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_inputs(parser)


def run(args: argparse.Namespace, world: World) -> int:
    options = common.prepared(args, world, policies=False)
    result = scan(common.inputs(args, world), options, stdin=world.stdin)
    for problem in result.errors:
        world.say("error", problem)
    json.dump(scan_input(list(result.resources)), world.stdout, indent=2, ensure_ascii=False, sort_keys=True)
    world.stdout.write("\n")
    return 2 if result.errors else 0
