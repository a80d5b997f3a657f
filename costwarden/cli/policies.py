"""``costwarden policies``: the policies a scan here would run, built-in and the user's."""

from __future__ import annotations

import argparse
from pathlib import Path

from costwarden.cli import common
from costwarden.cli.world import World

HELP = "list the policies a scan would run (built-in, and the user's from the config and --policy)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_config(parser)
    parser.add_argument("-p", "--policy", type=Path, action="append", default=[], help="user policies (.py, .rego)")
    parser.add_argument("--builtin-rego", action="store_const", const=True, help="the built-in Rego pack in place")


def run(args: argparse.Namespace, world: World) -> int:
    options = common.prepared(args, world)
    for source in options.sources:
        for policy in source.describe(options.config):
            print(f"{policy.id}  {policy.name:<32} {policy.severity.label:<8} {policy.summary}", file=world.stdout)
    return 0
