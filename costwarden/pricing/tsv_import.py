"""Build the shipped catalogs from the compiled public tables (``shared/data/*.tsv``).

    python -m costwarden.pricing.tsv_import ../shared/data costwarden/pricing/catalogs

Figures are copied as they are, with each row's source id and date; nothing is estimated
here. ``SOURCES.md`` beside the tables says where each figure comes from.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CATALOG_VERSION = "2026.11.29"
CATALOG_DATE = "2026-11-29"
SCHEMA_VERSION = 1

_SOURCES = {
    "KARPENTER_US_EAST_1_2026_07_20": (
        "aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go "
        "@ 6fc13b5236fd04fd16ff3f9dc7490d0813994099, generated from the AWS Price List API "
        "for us-east-1"
    ),
    "TSAOL_AWS_GPU_VANTAGE_2026_01_21": (
        "tsaol/aws-gpu data/all_gpu_instances.js @ 7412fd256c5eda04a70a17742a68e8e44824b2cb "
        "(instances.vantage.sh data)"
    ),
}


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle, delimiter="\t")


def _header(name: str, provider: str, description: str) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "name": name,
        "provider": provider,
        "version": CATALOG_VERSION,
        "date": CATALOG_DATE,
        "currency": "USD",
        "description": description,
    }


def ec2_on_demand(data: Path) -> dict[str, Any]:
    prices: dict[str, dict[str, list[Any]]] = {}
    used: dict[str, str] = {}
    for row in _rows(data / "aws_ec2_on_demand.tsv"):
        region = prices.setdefault(row["region"], {})
        region[row["instance_type"]] = [float(row["usd_per_hour"]), row["source_id"]]
        used[row["source_id"]] = row["price_as_of"]
    catalog = _header("aws-ec2-on-demand", "aws", "EC2 on-demand, Linux, shared tenancy, USD/hour")
    catalog["sources"] = {
        source: {"description": _SOURCES[source], "as_of": as_of}
        for source, as_of in sorted(used.items())
    }
    catalog["prices"] = {
        region: dict(sorted(types.items())) for region, types in sorted(prices.items())
    }
    return catalog


def aws_gpu_instances(data: Path) -> dict[str, Any]:
    specs: dict[str, dict[str, Any]] = {}
    for row in _rows(data / "aws_gpu_instances.tsv"):
        specs[row["instance_type"]] = {
            "family": row["family"],
            "gpu_model": row["gpu_model"],
            "manufacturer": row["accelerator_manufacturer"],
            "gpu_count": float(row["gpu_count"]),
            "gpu_memory_gib": float(row["gpu_memory_gib_per_gpu"])
            if row["gpu_memory_gib_per_gpu"]
            else None,
            "vcpu": int(row["vcpu"]),
            "memory_gib": float(row["memory_gib"]),
            "source": row["source"],
        }
    catalog = _header(
        "aws-gpu-instances", "aws", "Accelerators per EC2 instance type (EC2 API labels)"
    )
    catalog["instance_types"] = dict(sorted(specs.items()))
    return catalog


def aws_spot_discounts(data: Path) -> dict[str, Any]:
    discounts: dict[str, dict[str, float]] = {}
    sources: set[tuple[str, str]] = set()
    for row in _rows(data / "spot_discounts.tsv"):
        if row["provider"] != "aws":
            continue
        region = "*" if row["region"] == "ALL_7_REGIONS" else row["region"]
        discounts.setdefault(row["family_or_type"], {})[region] = float(row["typical_discount_pct"])
        sources.add((row["source"], row["date"]))
    catalog = _header(
        "aws-spot-discounts",
        "aws",
        "Typical spot savings over on-demand, percent (Spot Instance Advisor, median of sizes)",
    )
    catalog["sources"] = {
        f"S{i}": {"description": s, "as_of": d} for i, (s, d) in enumerate(sorted(sources))
    }
    catalog["discount_pct"] = {
        family: dict(sorted(regions.items())) for family, regions in sorted(discounts.items())
    }
    return catalog


BUILDERS = {
    "aws-ec2-on-demand.json": ec2_on_demand,
    "aws-gpu-instances.json": aws_gpu_instances,
    "aws-spot-discounts.json": aws_spot_discounts,
}


def build_all(data: Path) -> dict[str, dict[str, Any]]:
    return {name: builder(data) for name, builder in BUILDERS.items()}


def serialize(catalog: dict[str, Any]) -> str:
    return json.dumps(catalog, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(
            "usage: python -m costwarden.pricing.tsv_import DATA_DIR CATALOG_DIR", file=sys.stderr
        )
        return 2
    data, out = Path(args[0]), Path(args[1])
    for name, catalog in build_all(data).items():
        (out / name).write_text(serialize(catalog), encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
