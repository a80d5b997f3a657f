"""``costwarden config schema``: the JSON Schema of ``.costwarden.yaml``."""

from __future__ import annotations

import argparse
import json

from costwarden.cli.world import World
from costwarden.config import config_schema

HELP = "configuration helpers"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    actions.add_parser("schema", help="print the JSON Schema of .costwarden.yaml")


def run(args: argparse.Namespace, world: World) -> int:
    if args.config_command != "schema":
        raise LookupError(f"no config action {args.config_command!r}")
    json.dump(config_schema(), world.stdout, indent=2)
    world.stdout.write("\n")
    return 0
