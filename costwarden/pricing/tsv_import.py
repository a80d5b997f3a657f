"""Build the shipped catalogs from the compiled public tables (``shared/data/*.tsv``).

    python -m costwarden.pricing.tsv_import ../shared/data costwarden/pricing/catalogs

Figures are copied as they are, with each row's source id and date; nothing is estimated
here. ``SOURCES.md`` beside the tables says where each figure comes from.
"""

from __future__ import annotations

import csv
import json
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CATALOG_VERSION = "2026.11.29"
CATALOG_DATE = "2026-11-29"
SCHEMA_VERSION = 2

_SOURCES = {
    "KARPENTER_US_EAST_1_2026_07_20": (
        "aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go "
        "@ 6fc13b5236fd04fd16ff3f9dc7490d0813994099, generated from the AWS Price List API "
        "for us-east-1"
    ),
    "SKYPILOT_CATALOG_V7_AWS_001367d2": (
        "skypilot-org/skypilot-catalog catalogs/v7/aws/vms.csv @ 001367d22a0033fac286a8c71aeac7109e431bcb "
        "(on-demand, Linux, shared tenancy; commit date not retrievable)"
    ),
    "TSAOL_AWS_GPU_VANTAGE_2026_01_21": (
        "tsaol/aws-gpu data/all_gpu_instances.js @ 7412fd256c5eda04a70a17742a68e8e44824b2cb (instances.vantage.sh data)"
    ),
    "CYCLENERD_GCP_PRICING_2026_07_30": (
        "Cyclenerd/google-cloud-pricing-cost-calculator pricing.yml "
        "@ fd66b26ff84fee5cdd94f341ea89206e76c06b99, from the GCP Cloud Billing catalog"
    ),
    "ANYCLOUD_SKYPILOT_GCP_2026_05_20": (
        "anycloud-sh/catalog gcp/vms.csv @ 62ff0a987e0c257a89235415d2877812fb1aaf29 (SkyPilot catalog format)"
    ),
    "ANYCLOUD_SKYPILOT_AZURE_2026_05_20": (
        "anycloud-sh/catalog azure/vms.csv @ 62ff0a987e0c257a89235415d2877812fb1aaf29 "
        "(SkyPilot format, from the Azure Retail Prices API)"
    ),
}


_UNDATED = {
    # SOURCES.md: the snapshot's commit date could not be read; 90 of 92 us-east-1 rows equal
    # Karpenter's 2026-07-20 table, so it is near that date. Said as such in every basis.
    "SKYPILOT_CATALOG_V7_AWS_001367d2": "undated, near 2026-07-20",
}


AZURE_SPOT_MIN_SAVING_PCT = 40
"""An Azure spot price saving less than this over pay-as-you-go is not taken: 749 of the 775
GPU spot rows of the source save 40.7-90%, and the 26 below (T4 and H100 v5 sizes in a few
regions, down to 10%) disagree 2-6x with an independent catalog (SOURCES.md, issue 18). Such a
size's spot is priced from its series' typical saving instead, and the basis says so."""


def implausible_spot(on_demand: float, spot: float) -> bool:
    """An Azure spot price too close to pay-as-you-go to be taken (``AZURE_SPOT_MIN_SAVING_PCT``)."""
    return spot > on_demand * (1 - AZURE_SPOT_MIN_SAVING_PCT / 100)


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
    for row in _rows(data / "aws_ec2_on_demand_regions.tsv"):  # CPU types outside us-east-1
        region = prices.setdefault(row["region"], {})
        if row["instance_type"] not in region:  # the dated table wins where both have a row
            region[row["instance_type"]] = [float(row["usd_per_hour"]), row["source_id"]]
            used[row["source_id"]] = _UNDATED.get(row["source_id"], row["price_as_of"])
    catalog = _header("aws-ec2-on-demand", "aws", "EC2 on-demand, Linux, shared tenancy, USD/hour")
    catalog["sources"] = {
        source: {"description": _SOURCES[source], "as_of": as_of} for source, as_of in sorted(used.items())
    }
    catalog["prices"] = {region: dict(sorted(types.items())) for region, types in sorted(prices.items())}
    return catalog


def aws_gpu_instances(data: Path) -> dict[str, Any]:
    specs: dict[str, dict[str, Any]] = {}
    for row in _rows(data / "aws_gpu_instances.tsv"):
        specs[row["instance_type"]] = {
            "family": row["family"],
            "gpu_model": row["gpu_model"],
            "manufacturer": row["accelerator_manufacturer"],
            "gpu_count": float(row["gpu_count"]),
            "gpu_memory_gib": float(row["gpu_memory_gib_per_gpu"]) if row["gpu_memory_gib_per_gpu"] else None,
            "vcpu": int(row["vcpu"]),
            "memory_gib": float(row["memory_gib"]),
            "source": row["source"],
        }
    catalog = _header("aws-gpu-instances", "aws", "Accelerators per EC2 instance type (EC2 API labels)")
    catalog["instance_types"] = dict(sorted(specs.items()))
    return catalog


def spot_discounts(data: Path) -> dict[str, Any]:
    discounts: dict[str, dict[str, dict[str, float]]] = {}
    sources: dict[str, dict[str, str]] = {}
    dropped: list[str] = []
    for row in _rows(data / "spot_discounts.tsv"):
        provider = {"gcp": "google"}.get(row["provider"], row["provider"])
        region = "*" if row["region"].startswith("ALL_") else row["region"]
        saving = float(row["typical_discount_pct"])
        if provider == "azure" and region != "*" and saving < AZURE_SPOT_MIN_SAVING_PCT:
            dropped.append(f"azure {row['family_or_type']} in {row['region']}: {saving:g}%")
            continue
        discounts.setdefault(provider, {}).setdefault(row["family_or_type"], {})[region] = saving
        sources[provider] = {"description": row["source"], "as_of": row["date"]}
    catalog = _header("spot-discounts", "all", "Typical spot saving over on-demand, percent, median of sizes")
    catalog["sources"] = dict(sorted(sources.items()))
    catalog["discount_pct"] = {
        provider: {family: dict(sorted(r.items())) for family, r in sorted(families.items())}
        for provider, families in sorted(discounts.items())
    }
    catalog["dropped"] = sorted(dropped)
    newest: dict[tuple[str, str], tuple[str, str, str, float]] = {}
    for row in _rows(data / "aws_spot_interruption.tsv"):
        key = (row["region"], row["instance_type"])
        if key not in newest or row["snapshot_date"] > newest[key][1]:
            saving = float(row["savings_over_on_demand_pct"])
            newest[key] = (row["interruption_band"], row["snapshot_date"], row["source_id"], saving)
    bands: dict[str, dict[str, list[Any]]] = {}
    for (region, instance_type), (band, date, source, saving) in sorted(newest.items()):
        bands.setdefault(region, {})[instance_type] = [band, date, source, saving]
    catalog["interruption_band"] = bands
    return catalog


SAGEMAKER_SUPERSEDED = {
    # SOURCES.md: these listed prices predate AWS's mid-2025 P4/P5 price cut, and no current
    # SageMaker price was found; they are priced as current EC2 x the observed markup instead.
    "ml.p4d.24xlarge": "predates the mid-2025 P4/P5 price cut",
    "ml.p5.48xlarge": "predates the mid-2025 P4/P5 price cut",
}
SAGEMAKER_FLAGS = {
    # SOURCES.md: the component of this table is an assumption; the G6E design document's
    # provenance could not be established.
    "GOERLITZ_README": ("component assumed",),
    "PRICELIST_G6E_DESIGN_DOC": ("provenance uncertain",),
}


LARGE_BOX_ACCELERATORS = 8
"""Boxes of 8 or more accelerators carry a smaller SageMaker markup (SOURCES.md: 1.15 for
p3.16xlarge, p3dn, p4d and p5), so they are pooled apart first."""


def sagemaker(data: Path) -> dict[str, Any]:
    """Listed ML prices, and the ML-over-EC2 ratios observed in them: per family and component,
    and pooled per component over boxes of 8+ accelerators (``*gpu8``), over every
    accelerator type (``*gpu``) and over CPU types (``*cpu``), with the number of pairs."""
    accelerators = {row["instance_type"]: float(row["gpu_count"]) for row in _rows(data / "aws_gpu_instances.tsv")}
    prices: dict[str, dict[str, dict[str, list[Any]]]] = {}
    superseded: dict[str, dict[str, dict[str, list[Any]]]] = {}
    sources: dict[str, dict[str, Any]] = {}
    ratios: dict[tuple[str, str], list[float]] = {}
    for row in _rows(data / "sagemaker_prices.tsv"):
        listed = [float(row["usd_per_hour"]), row["source_id"]]
        why = SAGEMAKER_SUPERSEDED.get(row["instance_type"])
        into = prices if why is None else superseded
        entry = into.setdefault(row["region"], {}).setdefault(row["instance_type"], {})
        entry[row["component"]] = listed if why is None else [*listed, why]
        flags = list(SAGEMAKER_FLAGS.get(row["source_id"], ()))
        if row["region_confidence"] != "stated":
            flags.append("region uncertain")
        sources[row["source_id"]] = {"description": row["notes"], "as_of": row["price_as_of"], "flags": flags}
        ec2_type = row["instance_type"].removeprefix("ml.")
        pool = "*gpu" if ec2_type in accelerators else "*cpu"
        ratio = float(row["ratio_vs_ec2"])
        keys = [(ec2_type.split(".")[0], row["component"]), (pool, row["component"]), (pool, "*")]
        if accelerators.get(ec2_type, 0) >= LARGE_BOX_ACCELERATORS:
            keys.append(("*gpu8", row["component"]))
        for key in keys:
            ratios.setdefault(key, []).append(ratio)
    markup: dict[str, dict[str, list[Any]]] = {}
    for (family, component), observed in sorted(ratios.items()):
        markup.setdefault(family, {})[component] = [round(statistics.median(observed), 4), len(observed)]
    catalog = _header("aws-sagemaker", "aws", "SageMaker ML instances, USD/hour, by component")
    catalog["sources"] = dict(sorted(sources.items()))
    catalog["prices"] = {
        region: {t: dict(sorted(c.items())) for t, c in sorted(types.items())}
        for region, types in sorted(prices.items())
    }
    catalog["superseded"] = {
        region: {t: dict(sorted(c.items())) for t, c in sorted(types.items())}
        for region, types in sorted(superseded.items())
    }
    catalog["markup"] = markup
    return catalog


def _number(text: str) -> float | None:
    return float(text) if text else None


def gcp_compute(data: Path) -> dict[str, Any]:
    machines: dict[str, dict[str, list[Any]]] = {}
    accelerators: dict[str, dict[str, list[Any]]] = {}
    specs: dict[str, dict[str, Any]] = {}
    sources: dict[str, dict[str, str]] = {}
    for row in _rows(data / "gcp_gpu_prices.tsv"):
        prices = [float(row["usd_per_hour_on_demand"]), _number(row["usd_per_hour_spot"]), row["source_id"]]
        sources[row["source_id"]] = {"description": _SOURCES[row["source_id"]], "as_of": row["price_as_of"]}
        if row["item_type"] == "machine_type":
            machines.setdefault(row["region"], {})[row["name"]] = prices
            specs[row["name"]] = {"gpu_type": row["gpu_type"] or None, "gpu_count": float(row["gpu_count"])}
        else:
            uncertain = "INCONSISTENT" in row["notes"]
            accelerators.setdefault(row["region"], {})[row["name"]] = [*prices, uncertain]
    catalog = _header("gcp-compute", "google", "GCE machine types (GPUs included) and per-GPU prices")
    catalog["sources"] = dict(sorted(sources.items()))
    catalog["machine_types"] = {r: dict(sorted(t.items())) for r, t in sorted(machines.items())}
    catalog["machine_specs"] = dict(sorted(specs.items()))
    catalog["accelerators"] = {r: dict(sorted(t.items())) for r, t in sorted(accelerators.items())}
    return catalog


def azure_vms(data: Path) -> dict[str, Any]:
    prices: dict[str, dict[str, list[Any]]] = {}
    specs: dict[str, dict[str, Any]] = {}
    sources: dict[str, dict[str, str]] = {}
    dropped: dict[str, dict[str, float]] = {}
    for row in _rows(data / "azure_gpu_prices.tsv"):
        on_demand, spot = float(row["usd_per_hour_on_demand"]), _number(row["usd_per_hour_spot"])
        if spot is not None and implausible_spot(on_demand, spot):
            dropped.setdefault(row["region"], {})[row["vm_size"]] = spot
            spot = None
        prices.setdefault(row["region"], {})[row["vm_size"]] = [on_demand, spot, row["source_id"]]
        specs[row["vm_size"]] = {
            "gpu_model": row["gpu_model"],
            "gpu_count": float(row["gpu_count"]),
            "vcpu": int(row["vcpu"]),
            "memory_gib": float(row["memory_gib"]),
        }
        sources[row["source_id"]] = {"description": _SOURCES[row["source_id"]], "as_of": row["price_as_of"]}
    catalog = _header("azure-vm", "azure", "Azure GPU VM sizes, Linux pay-as-you-go and spot, USD/hour")
    catalog["sources"] = dict(sorted(sources.items()))
    catalog["vm_sizes"] = {r: dict(sorted(t.items())) for r, t in sorted(prices.items())}
    catalog["vm_specs"] = dict(sorted(specs.items()))
    catalog["spot_dropped"] = {r: dict(sorted(t.items())) for r, t in sorted(dropped.items())}
    return catalog


def gpu_models(data: Path) -> dict[str, Any]:
    models: dict[str, dict[str, Any]] = {}
    for row in _rows(data / "gpu_models.tsv"):
        models[row["gpu_model"]] = {
            "memory_gib": float(row["memory_gib"]),
            "fp16_dense_tflops": _number(row["fp16_dense_tflops"]),
            "memory_bandwidth_gbs": _number(row["memory_bandwidth_gbs"]),
            "architecture": row["architecture"],
            "source": row["source"],
        }
    catalog = _header("gpu-models", "all", "GPU and accelerator datasheet figures, per device")
    catalog["models"] = models
    return catalog


BUILDERS = {
    "aws-ec2-on-demand.json": ec2_on_demand,
    "aws-gpu-instances.json": aws_gpu_instances,
    "aws-sagemaker.json": sagemaker,
    "gcp-compute.json": gcp_compute,
    "azure-vm.json": azure_vms,
    "gpu-models.json": gpu_models,
    "spot-discounts.json": spot_discounts,
}


def build_all(data: Path) -> dict[str, dict[str, Any]]:
    return {name: builder(data) for name, builder in BUILDERS.items()}


def serialize(catalog: dict[str, Any]) -> str:
    return json.dumps(catalog, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m costwarden.pricing.tsv_import DATA_DIR CATALOG_DIR", file=sys.stderr)
        return 2
    data, out = Path(args[0]), Path(args[1])
    for name, catalog in build_all(data).items():
        (out / name).write_text(serialize(catalog), encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
