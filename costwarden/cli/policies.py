"""``costwarden policies [ID...]``: the policies a scan here would run, built-in and the user's;
with ids or names, each one's documentation; ``-o json`` lists them all as data."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from costwarden.cli import common
from costwarden.cli.world import World
from costwarden.errors import ConfigError
from costwarden.validation import did_you_mean

HELP = "list the policies a scan would run (built-in, and the user's from the config and --policy)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common.add_config(parser)
    parser.add_argument("-p", "--policy", type=Path, action="append", default=[], help="user policies (.py, .rego)")
    parser.add_argument("--builtin-rego", action="store_const", const=True, help="the built-in Rego pack in place")
    parser.add_argument("ids", nargs="*", metavar="ID", help="show these policies' documentation (ids or names)")
    parser.add_argument("-o", "--output", choices=["text", "json"], default="text")


def run(args: argparse.Namespace, world: World) -> int:
    options = common.prepared(args, world)
    found = [policy for source in options.sources for policy in source.describe(options.config.every_policy())]
    if args.ids:
        wanted = set(args.ids)
        chosen = [p for p in found if p.id in wanted or p.name in wanted]
        missing = sorted(wanted - {p.id for p in chosen} - {p.name for p in chosen})
        if missing:
            known = [w for p in found for w in (p.id, p.name)]
            raise ConfigError("; ".join(f"no such policy {m!r}{did_you_mean(m, known)}" for m in missing))
        found = chosen
    if args.output == "json":
        rows = [
            {
                "id": p.id,
                "name": p.name,
                "title": p.title,
                "severity": p.severity.label,
                "enabled": options.config.enabled(p.id, p.name),
                "source": p.source,
                "help_uri": p.help_uri,
                "doc": p.doc,
            }
            for p in found
        ]
        json.dump(rows, world.stdout, indent=2, ensure_ascii=False)
        world.stdout.write("\n")
        return 0
    for policy in found:
        if args.ids:
            print(f"{policy.id} {policy.name} ({policy.severity.label}, {policy.source})", file=world.stdout)
            print(f"\n{policy.doc or policy.title}\n", file=world.stdout)
            if policy.help_uri:
                print(f"More: {policy.help_uri}\n", file=world.stdout)
            continue
        print(f"{policy.id}  {policy.name:<32} {policy.severity.label:<8} {policy.summary}", file=world.stdout)
    return 0
