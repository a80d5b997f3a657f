"""Every figure of the shipped catalogs, re-derived from the public tables in shared/data and
priced through its cost model: the hourly price is the table's, and the basis names the row's
source date and, where the source is flagged, says so in a word."""

import csv
import os
from pathlib import Path

import pytest

from costwarden.model import Compute, Gpu
from costwarden.pricing import azure, ec2, gce, sagemaker, shipped_catalog
from costwarden.pricing.tsv_import import AZURE_SPOT_MIN_SAVING_PCT, SAGEMAKER_SUPERSEDED
from tests.requires import unavailable

SHARED_DATA = Path(os.environ.get("COSTWARDEN_SHARED_DATA", Path(__file__).parents[3] / "shared" / "data"))
CATALOG = shipped_catalog()


def rows(name):
    if not SHARED_DATA.is_dir():
        unavailable(f"source tables not found at {SHARED_DATA}")
    with (SHARED_DATA / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def catalog_part(basis):
    """The trailing ``catalog SOURCE (date; flag; ...)`` of a basis."""
    assert "; catalog " in basis, basis
    return basis.rsplit("; catalog ", 1)[1]


def test_every_ec2_figure_and_its_date():
    dated = {(r["region"], r["instance_type"]): r for r in rows("aws_ec2_on_demand.tsv")}
    regional = {(r["region"], r["instance_type"]): r for r in rows("aws_ec2_on_demand_regions.tsv")}
    assert len(dated) > 1000 and len(regional) > 400
    for (region, instance_type), row in {**regional, **dated}.items():
        quote = ec2.price(Compute("aws", instance_type, region=region), CATALOG)
        assert quote.hourly == float(row["usd_per_hour"]), (region, instance_type)
        said = catalog_part(quote.basis)
        assert said.startswith(f"{row['source_id']} ("), (region, instance_type, said)
        if row["price_as_of"][0].isdigit():
            assert f"({row['price_as_of']})" in said
        else:
            assert "(undated, near 2026-07-20)" in said  # SOURCES.md: commit date not retrievable


def test_every_sagemaker_figure_its_date_and_flags():
    for row in rows("sagemaker_prices.tsv"):
        workload = {"hosting": "inference", "training": "training"}.get(row["component"])
        if workload is None:  # async inference: no workload of ours bills it yet
            assert CATALOG.sagemaker(row["region"], row["instance_type"], row["component"]).usd == float(
                row["usd_per_hour"]
            )
            continue
        compute = Compute("aws", row["instance_type"], region=row["region"], workload=workload, service="sagemaker")
        quote = sagemaker.price(compute, CATALOG)
        said = catalog_part(quote.basis)
        if row["instance_type"] in SAGEMAKER_SUPERSEDED:
            ec2_price = CATALOG.ec2_on_demand(row["region"], row["instance_type"].removeprefix("ml."))
            assert quote.hourly == pytest.approx(ec2_price.usd * float(row["ratio_vs_ec2"]), rel=1e-4)
            assert f"not the listed ${float(row['usd_per_hour']):g}/h" in quote.basis and "; derived)" in said
            continue
        assert quote.hourly == float(row["usd_per_hour"])
        assert said.startswith(f"{row['source_id']} ({row['price_as_of']}")
        if row["region_confidence"] != "stated":
            assert "region uncertain" in said, said


def test_every_gce_figure_its_date_and_disagreement():
    for row in rows("gcp_gpu_prices.tsv"):
        if row["item_type"] == "machine_type":
            quote = gce.price(Compute("google", row["name"], region=row["region"]), CATALOG)
            assert quote.hourly == float(row["usd_per_hour_on_demand"]), row["name"]
        else:
            if CATALOG.gce_machine(row["region"], "n1-standard-4") is None:
                continue  # an accelerator offered where the table has no N1 machine
            gpu = Gpu(row["name"], 1)
            quote = gce.price(Compute("google", "n1-standard-4", region=row["region"], gpu=gpu), CATALOG)
            machine = CATALOG.gce_machine(row["region"], "n1-standard-4").usd
            assert quote.hourly == pytest.approx(machine + float(row["usd_per_hour_on_demand"]))
            assert ("sources disagree" in quote.basis) == ("INCONSISTENT" in row["notes"])
            machine_source = CATALOG.gce_machine(row["region"], "n1-standard-4").source
            if row["source_id"] != machine_source:
                assert f"(catalog {row['source_id']}, {row['price_as_of']})" in quote.basis
                continue
        assert f"{row['source_id']} ({row['price_as_of']}" in catalog_part(quote.basis)


def test_every_azure_figure_its_date_and_the_spot_prices_not_taken():
    dropped = 0
    for row in rows("azure_gpu_prices.tsv"):
        compute = Compute("azure", row["vm_size"], region=row["region"], market="spot")
        quote = azure.price(compute, CATALOG)
        on_demand = float(row["usd_per_hour_on_demand"])
        listed = CATALOG.azure_vm(row["region"], row["vm_size"])
        assert listed.usd == on_demand
        said = catalog_part(quote.basis)
        assert said.startswith(f"{row['source_id']} ({row['price_as_of']}")
        spot = float(row["usd_per_hour_spot"]) if row["usd_per_hour_spot"] else None
        if spot is not None and 100 * (1 - spot / on_demand) < AZURE_SPOT_MIN_SAVING_PCT:
            dropped += 1
            assert listed.spot_usd is None and "not used as implausible" in said
            assert quote.hourly < spot  # priced from the series' typical saving instead
        else:
            assert listed.spot_usd == spot
            if spot is not None:
                assert quote.hourly == spot
    assert dropped == 26
