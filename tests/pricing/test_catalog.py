import json
import os
from pathlib import Path

import pytest

from costwarden.errors import CatalogError
from costwarden.pricing import load_catalog, shipped_catalog
from costwarden.pricing.catalog import CATALOG_FILES, validate
from costwarden.pricing.tsv_import import build_all, serialize
from tests.requires import unavailable

CATALOGS = Path(__file__).parents[2] / "costwarden" / "pricing" / "catalogs"
SHARED_DATA = Path(os.environ.get("COSTWARDEN_SHARED_DATA", Path(__file__).parents[3] / "shared" / "data"))


@pytest.mark.parametrize("name", CATALOG_FILES)
def test_every_shipped_catalog_matches_its_schema(name):
    validate(name, name, json.loads((CATALOGS / name).read_text()))


def test_every_catalog_file_is_shipped_and_has_a_schema():
    assert sorted(p.name for p in CATALOGS.glob("*.json")) == sorted(CATALOG_FILES)


def test_shipped_catalogs_are_built_from_the_source_tables():
    if not SHARED_DATA.is_dir():
        unavailable(f"source tables not found at {SHARED_DATA}")
    for name, catalog in build_all(SHARED_DATA).items():
        assert (CATALOGS / name).read_text() == serialize(catalog), f"{name}: rerun tsv_import"


def test_version_and_date():
    info = shipped_catalog().info
    assert (info.version, info.date) == ("2026.11.29", "2026-11-29")


@pytest.mark.parametrize(
    ("region", "instance_type", "usd", "source"),
    [
        ("us-east-1", "m5.large", 0.096, "KARPENTER_US_EAST_1_2026_07_20"),
        ("us-east-1", "p4d.24xlarge", 21.957642, "KARPENTER_US_EAST_1_2026_07_20"),
        ("us-west-2", "g5.xlarge", 1.006, "TSAOL_AWS_GPU_VANTAGE_2026_01_21"),
    ],
)
def test_ec2_prices(region, instance_type, usd, source):
    price = shipped_catalog().ec2_on_demand(region, instance_type)
    assert (price.usd, price.source) == (usd, source)


def test_missing_price_is_none_never_zero():
    catalog = shipped_catalog()
    assert catalog.ec2_on_demand("us-west-2", "r5.large") is None  # the regional table has no r5
    assert catalog.ec2_on_demand("us-east-1", "x99.mega") is None
    assert catalog.ec2_regions("r5.large") == ["us-east-1"]


def test_cpu_types_outside_us_east_1_come_with_an_undated_source_said_so():
    catalog = shipped_catalog()
    price = catalog.ec2_on_demand("eu-west-1", "m5.large")
    assert price is not None and price.usd == 0.107  # aws_ec2_on_demand_regions.tsv
    assert price.source == "SKYPILOT_CATALOG_V7_AWS_001367d2" and price.as_of == "undated, near 2026-07-20"
    assert catalog.ec2_on_demand("us-east-1", "m5.large").source == "KARPENTER_US_EAST_1_2026_07_20"


def test_gpu_specs_and_spot_discounts():
    catalog = shipped_catalog()
    gpu = catalog.aws_gpu("g6f.large")
    assert (gpu.model, gpu.count, gpu.memory_gib) == ("L4", 0.125, 22.35)
    assert catalog.aws_gpu("m5.large") is None
    assert catalog.aws_gpu("m5.large") is None


@pytest.mark.parametrize(
    ("provider", "instance_type", "region", "saving", "said"),
    [
        ("aws", "g6e.2xlarge", "us-east-2", 65.0, "g6e.2xlarge's 65% saving in us-east-2 (Spot Advisor"),
        ("aws", "g5.xlarge", "sa-east-1", 87.0, "g5.xlarge's 87% saving in sa-east-1"),
        ("aws", "g5.xlarge", "xx-none-1", 59.0, "g5's typical 59% saving across regions (2025-11-30)"),
        ("aws", "m5.large", "us-east-1", None, None),
        ("google", "a2-highgpu-2g", "us-central1", 48.0, "a2-highgpu's typical 48% saving in us-central1"),
        ("azure", "Standard_NC40adis_H100_v5", "eastus", 69.0, "NC*adis_H100_v5's typical 69% saving in eastus"),
        ("azure", "Standard_NC40adis_H100_v5", "eastus2", 61.0, "NC*adis_H100_v5's typical 61% saving across"),
    ],
)
def test_spot_saving_per_type_then_family(provider, instance_type, region, saving, said):
    found = shipped_catalog().spot_discount_pct(provider, instance_type, region)
    assert (found and found[0]) == saving
    assert found is None or found[1].startswith(said)


def test_broken_catalog_directory_is_a_catalog_error(tmp_path):
    with pytest.raises(CatalogError, match="cannot read catalog"):
        load_catalog(tmp_path)
    for name in CATALOG_FILES:
        (tmp_path / name).write_text((CATALOGS / name).read_text())
    assert load_catalog(tmp_path).version == "2026.11.29"
    broken = json.loads((CATALOGS / "azure-vm.json").read_text())
    broken["vm_sizes"]["eastus"]["Standard_NC24ads_A100_v4"][0] = -3.673
    (tmp_path / "azure-vm.json").write_text(json.dumps(broken))
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'azure-vm.json'}: vm_sizes.eastus.Standard_NC24ads_A100_v4.0: "
        "Input should be greater than 0 (got -3.673)"
    )
    (tmp_path / "azure-vm.json").write_text("{")
    with pytest.raises(CatalogError, match=r"azure-vm.json:1: invalid JSON"):
        load_catalog(tmp_path)
    broken["version"] = "2027.01.01"
    (tmp_path / "azure-vm.json").write_text(json.dumps(broken))
    with pytest.raises(CatalogError, match="different versions"):
        load_catalog(tmp_path, check=False)


def test_every_catalog_file_has_its_schema():
    from costwarden.pricing.catalog_schema import SCHEMAS

    assert tuple(SCHEMAS) == CATALOG_FILES
