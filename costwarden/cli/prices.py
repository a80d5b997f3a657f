"""``costwarden prices update --out DIR``: a new dated catalog from the providers' price APIs."""

from __future__ import annotations

import argparse
from pathlib import Path

from costwarden.cli.world import World
from costwarden.errors import ConfigError
from costwarden.pricing.update import AZURE_PRICES_URL, UpdateRequest, update

HELP = "price catalogs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="prices_command", required=True, metavar="ACTION")
    updater = actions.add_parser("update", help="write a new dated catalog from the providers' price APIs")
    updater.add_argument("--out", type=Path, required=True, help="directory for the new catalog files")
    updater.add_argument("--aws-region", action="append", default=[], help="AWS region to fetch (repeatable)")
    updater.add_argument("--azure-region", action="append", default=[], help="Azure region to fetch (repeatable)")
    updater.add_argument("--aws-pricing-endpoint", help="Price List API endpoint (a mirror or proxy)")
    updater.add_argument("--aws-ec2-endpoint", help="EC2 API endpoint (a mirror or proxy)")
    updater.add_argument("--azure-url", default=AZURE_PRICES_URL, help="Azure Retail Prices API URL")


def run(args: argparse.Namespace, world: World) -> int:
    if not args.aws_region and not args.azure_region:
        raise ConfigError("name at least one --aws-region or --azure-region to fetch")
    request = UpdateRequest(
        out=world.path(args.out),
        aws_regions=args.aws_region,
        azure_regions=args.azure_region,
        aws_pricing_endpoint=args.aws_pricing_endpoint,
        aws_ec2_endpoint=args.aws_ec2_endpoint,
        azure_url=args.azure_url,
    )
    written = update(request, log=lambda line: print(line, file=world.stderr))
    print(
        f"wrote catalog {written[0].parent} ({len(written)} files); use it with --catalog {args.out}", file=world.stdout
    )
    return 0
