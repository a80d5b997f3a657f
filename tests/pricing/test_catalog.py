import json
import os
from pathlib import Path

import jsonschema
import pytest

from costwarden.errors import CatalogError
from costwarden.pricing import load_catalog, shipped_catalog
from costwarden.pricing.catalog import CATALOG_FILES
from costwarden.pricing.tsv_import import build_all, serialize

CATALOGS = Path(__file__).parents[2] / "costwarden" / "pricing" / "catalogs"
SHARED_DATA = Path(
    os.environ.get("COSTWARDEN_SHARED_DATA", Path(__file__).parents[3] / "shared" / "data")
)


@pytest.mark.parametrize("name", CATALOG_FILES)
def test_every_catalog_matches_the_schema(name):
    schema = json.loads((CATALOGS / "catalog.schema.json").read_text())
    jsonschema.validate(json.loads((CATALOGS / name).read_text()), schema)


def test_shipped_catalogs_are_built_from_the_source_tables():
    if not SHARED_DATA.is_dir():
        pytest.skip(f"source tables not found at {SHARED_DATA}")
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
    assert catalog.ec2_on_demand("us-west-2", "m5.large") is None
    assert catalog.ec2_on_demand("us-east-1", "x99.mega") is None
    assert catalog.ec2_regions("m5.large") == ["us-east-1"]


def test_gpu_specs_and_spot_discounts():
    catalog = shipped_catalog()
    gpu = catalog.aws_gpu("g6f.large")
    assert (gpu.model, gpu.count, gpu.memory_gib) == ("L4", 0.125, 22.35)
    assert catalog.aws_gpu("m5.large") is None
    assert catalog.aws_spot_discount_pct("g5.xlarge", "us-east-1") is not None
    assert catalog.aws_spot_discount_pct("g5.xlarge", "sa-east-1") == catalog.aws_spot_discount_pct(
        "g5.48xlarge", "*"
    )
    assert catalog.aws_spot_discount_pct("m5.large", "us-east-1") is None


def test_broken_catalog_directory_is_a_catalog_error(tmp_path):
    with pytest.raises(CatalogError, match="cannot read catalog"):
        load_catalog(tmp_path)
    for name in CATALOG_FILES:
        (tmp_path / name).write_text(
            json.dumps(
                {"schema_version": 9, "name": "x", "version": "1", "date": "d", "currency": "USD"}
            )
        )
    with pytest.raises(CatalogError, match="unsupported schema_version 9"):
        load_catalog(tmp_path)
