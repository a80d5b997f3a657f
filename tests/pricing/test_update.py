"""``prices update`` against real servers on loopback: the moto server for EC2's spot price
history, and servers speaking the documented AWS Price List (GetProducts) and Azure Retail
Prices protocols, which moto does not serve."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from moto.server import ThreadedMotoServer

from costwarden import Document, ScanOptions, scan
from costwarden.cli import World, main
from costwarden.errors import CatalogError
from costwarden.pricing import load_catalog
from costwarden.pricing.update import UpdateRequest, update
from tests.plans import change, dumps, plan

DAY = date(2026, 11, 29)


def ec2_product(
    instance_type: str,
    region: str,
    usd: str,
    os_name: str = "Linux",
    family: str = "Compute Instance",
    tenancy: str = "Shared",
    market: str = "OnDemand",
) -> str:
    sku = f"SKU{instance_type}{region}{market}{usd}".replace(".", "")
    return json.dumps(
        {
            "product": {
                "productFamily": family,
                "sku": sku,
                "attributes": {
                    "instanceType": instance_type,
                    "regionCode": region,
                    "operatingSystem": os_name,
                    "tenancy": tenancy,
                    "preInstalledSw": "NA",
                    "capacitystatus": "Used",
                    "licenseModel": "No License required",
                    "marketoption": market,
                },
            },
            "serviceCode": "AmazonEC2",
            "terms": {
                "OnDemand": {
                    f"{sku}.JRTCKXETXF": {
                        "priceDimensions": {
                            f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                                "unit": "Hrs",
                                "pricePerUnit": {"USD": usd},
                                "description": f"${usd} per On Demand Linux {instance_type}",
                            }
                        }
                    }
                }
            },
        }
    )


def sagemaker_product(name: str, component: str, region: str, usd: str) -> str:
    sku = f"SM{name}{component}".replace(".", "")
    return json.dumps(
        {
            "product": {
                "productFamily": "ML Instance",
                "sku": sku,
                "attributes": {"instanceName": name, "component": component, "regionCode": region},
            },
            "serviceCode": "AmazonSageMaker",
            "terms": {
                "OnDemand": {
                    f"{sku}.T": {"priceDimensions": {f"{sku}.T.D": {"unit": "Hrs", "pricePerUnit": {"USD": usd}}}}
                }
            },
        }
    )


PRODUCTS = {
    "AmazonEC2": [
        ec2_product("g5.xlarge", "us-east-1", "1.0060000000"),
        ec2_product("p4d.24xlarge", "us-east-1", "21.9576420000"),
        ec2_product("m5.large", "us-east-1", "0.0960000000"),
        ec2_product("g5.xlarge", "eu-west-1", "1.1230000000"),
        ec2_product("zz.free", "us-east-1", "0.0000000000"),
        # the rows that broke the first version: bare metal under dedicated tenancy, a capacity
        # block for a type that also has an on-demand price, two on-demand products of one type
        ec2_product(
            "m7i.metal-24xl", "us-east-1", "4.8384000000", family="Compute Instance (bare metal)", tenancy="Dedicated"
        ),
        ec2_product("m5.large", "us-east-1", "0.2000000000", market="CapacityBlock"),
        ec2_product("m5.large", "us-east-1", "0.1010000000"),
    ],
    "AmazonSageMaker": [
        sagemaker_product("ml.g5.xlarge", "Hosting", "us-east-1", "1.4080000000"),
        sagemaker_product("ml.g5.xlarge", "Training", "us-east-1", "1.4080000000"),
        sagemaker_product("ml.p4d.24xlarge", "Hosting", "us-east-1", "37.6880000000"),
        sagemaker_product("ml.g5.xlarge", "Hosting", "us-east-1", "1.5000000000"),  # a second hosting product
    ],
}


class PriceListHandler(BaseHTTPRequestHandler):
    """``AWSPriceListService.GetProducts`` (JSON 1.1): TERM_MATCH filters, two items a page."""

    requests: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert self.headers["X-Amz-Target"] == "AWSPriceListService.GetProducts"
        type(self).requests.append(body)
        wanted = {f["Field"]: f["Value"] for f in body.get("Filters", [])}
        matching = []
        for item in PRODUCTS[body["ServiceCode"]]:
            product = json.loads(item)["product"]
            attributes = {**product["attributes"], "productFamily": product["productFamily"]}
            if all(attributes.get(k, v) == v for k, v in wanted.items()):
                matching.append(item)
        start = int(body.get("NextToken") or 0)
        page = {"FormatVersion": "aws_v1", "PriceList": matching[start : start + 2]}
        if start + 2 < len(matching):
            page["NextToken"] = str(start + 2)
        self._reply(page)

    def _reply(self, document: dict) -> None:
        data = json.dumps(document).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def azure_item(
    size: str, sku: str, usd: float, product: str = "Virtual Machines NCads A100 v4 Series", **extra
) -> dict:
    return {
        "currencyCode": "USD",
        "tierMinimumUnits": 0.0,
        "retailPrice": usd,
        "unitPrice": usd,
        "armRegionName": "eastus",
        "location": "US East",
        "effectiveStartDate": "2024-01-01T00:00:00Z",
        "meterName": sku,
        "productName": product,
        "skuName": sku,
        "serviceName": "Virtual Machines",
        "serviceFamily": "Compute",
        "unitOfMeasure": "1 Hour",
        "type": "Consumption",
        "isPrimaryMeterRegion": True,
        "armSkuName": size,
        **extra,
    }


AZURE_PAGES = [
    [
        azure_item("Standard_NC24ads_A100_v4", "NC24ads A100 v4", 3.673),
        azure_item("Standard_NC24ads_A100_v4", "NC24ads A100 v4 Spot", 0.7467),
        azure_item(
            "Standard_NC24ads_A100_v4", "NC24ads A100 v4", 5.1, product="Virtual Machines NCads A100 v4 Series Windows"
        ),
    ],
    [
        azure_item("Standard_NC24ads_A100_v4", "NC24ads A100 v4 Low Priority", 0.9),
        # a "spot" price 10% under pay-as-you-go, as the source had for H100 v5 in four regions
        azure_item("Standard_NC40ads_H100_v5", "NC40ads H100 v5", 6.98, product="Virtual Machines NCadsH100v5"),
        azure_item("Standard_NC40ads_H100_v5", "NC40ads H100 v5 Spot", 6.282, product="Virtual Machines NCadsH100v5"),
        azure_item("Standard_D2s_v5", "D2s v5", 0.096, product="Virtual Machines Dsv5 Series"),
        azure_item("Standard_D2s_v5", "D2s v5", 88.0, product="Virtual Machines Dsv5 Series", currencyCode="EUR"),
        # a secondary meter, an older price and a price not yet in effect: none of them is today's
        azure_item(
            "Standard_D2s_v5", "D2s v5", 0.5, product="Virtual Machines Dsv5 Series", isPrimaryMeterRegion=False
        ),
        azure_item(
            "Standard_D2s_v5",
            "D2s v5",
            0.08,
            product="Virtual Machines Dsv5 Series",
            effectiveStartDate="2020-01-01T00:00:00Z",
        ),
        azure_item(
            "Standard_D2s_v5",
            "D2s v5",
            0.07,
            product="Virtual Machines Dsv5 Series",
            effectiveStartDate="2099-01-01T00:00:00Z",
        ),
    ],
]


class AzureHandler(BaseHTTPRequestHandler):
    """The Retail Prices API: ``Items`` a page, ``NextPageLink`` to the next one, null at the end."""

    filters: ClassVar[list[str]] = []
    foreign_next_page = False

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        type(self).filters.append(query["$filter"][0])
        skip = int(query.get("$skip", ["0"])[0])
        host = f"http://127.0.0.1:{self.server.server_address[1]}"
        if type(self).foreign_next_page:
            host = "http://203.0.113.9"
        following = (
            f"{host}/api/retail/prices?{urlsplit(self.path).query}&$skip={skip + 1}"
            if skip + 1 < len(AZURE_PAGES)
            else None
        )
        document = {
            "BillingCurrency": "USD",
            "CustomerEntityId": "Default",
            "CustomerEntityType": "Retail",
            "Items": AZURE_PAGES[skip],
            "NextPageLink": following,
            "Count": len(AZURE_PAGES[skip]),
        }
        data = json.dumps(document).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def price_list():
    PriceListHandler.requests = []
    yield from serve(PriceListHandler)


@pytest.fixture
def azure():
    AzureHandler.filters, AzureHandler.foreign_next_page = [], False
    yield from serve(AzureHandler)


@pytest.fixture
def moto(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_aws_and_azure_update_writes_a_consistent_dated_catalog(tmp_path, price_list, azure, moto):
    request = UpdateRequest(
        out=tmp_path / "catalog",
        aws_regions=["us-east-1"],
        azure_regions=["eastus"],
        today=DAY,
        aws_pricing_endpoint=price_list,
        aws_ec2_endpoint=moto,
        azure_url=f"{azure}/api/retail/prices",
    )
    lines: list[str] = []
    written = update(request, log=lines.append)
    assert len(written) == 7
    catalog = load_catalog(tmp_path / "catalog")  # checked against every schema
    assert (catalog.info.version, catalog.info.date) == ("2026.11.29", "2026-11-29")

    g5 = catalog.ec2_on_demand("us-east-1", "g5.xlarge")
    assert (g5.usd, g5.source) == (1.006, "AWS_PRICE_LIST_API_2026-11-29")
    assert g5.spot_usd == 0.00001  # what moto's spot price history answers
    assert catalog.ec2_on_demand("us-east-1", "zz.free") is None  # a zero price is no price
    assert catalog.ec2_on_demand("us-west-2", "g5.xlarge").source == "TSAOL_AWS_GPU_VANTAGE_2026_01_21"  # carried over
    assert catalog.sagemaker("us-east-1", "ml.g5.xlarge", "training").usd == 1.408
    assert catalog.sagemaker("us-east-1", "ml.p4d.24xlarge", "hosting").usd == 37.688

    a100 = catalog.azure_vm("eastus", "Standard_NC24ads_A100_v4")
    assert (a100.usd, a100.spot_usd, a100.source) == (3.673, 0.7467, "AZURE_RETAIL_PRICES_API_2026-11-29")
    assert catalog.azure_vm("eastus", "Standard_D2s_v5").usd == 0.096  # the EUR row is not mixed in

    ec2_filters = {f["Field"]: f["Value"] for f in PriceListHandler.requests[0]["Filters"]}
    assert ec2_filters == {
        "regionCode": "us-east-1",
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "preInstalledSw": "NA",
        "capacitystatus": "Used",
        "licenseModel": "No License required",
        "marketoption": "OnDemand",
    }
    assert catalog.ec2_on_demand("us-east-1", "m7i.metal-24xl").usd == 4.8384  # metal: dedicated tenancy
    assert catalog.ec2_on_demand("us-east-1", "m5.large").usd == 0.096  # not the capacity block's 0.2
    assert any("1 types had several prices; the lowest kept: m5.large" in line for line in lines)
    assert len([r for r in PriceListHandler.requests if r["ServiceCode"] == "AmazonEC2"]) == 4  # paged, 2 queries
    assert (
        AzureHandler.filters[0]
        == "serviceName eq 'Virtual Machines' and armRegionName eq 'eastus' and priceType eq 'Consumption'"
    )
    assert len(AzureHandler.filters) == 2  # followed NextPageLink to the end
    assert any(line.startswith("azure eastus: 3 VM sizes (2 with spot) in 2 pages") for line in lines)
    h100 = catalog.azure_vm("eastus", "Standard_NC40ads_H100_v5")
    assert (h100.usd, h100.spot_usd) == (6.98, None)
    assert h100.flags == ("its spot $6.282/h, 10% under on-demand, not used as implausible",)
    assert "azure eastus: 1 spot prices under 40% off not taken" in lines

    # SageMaker: two hosting prices for one type keep the lowest, said
    assert catalog.sagemaker("us-east-1", "ml.g5.xlarge", "hosting").usd == 1.408
    assert any("SageMaker: 1 types had several prices; the lowest kept: ml.g5.xlarge\thosting" in x for x in lines)

    # what was not fetched keeps its own source and date, and the run says so
    west = catalog.ec2_on_demand("us-west-2", "g5.xlarge")
    assert (west.source, west.as_of) == ("TSAOL_AWS_GPU_VANTAGE_2026_01_21", "2026-01-21")
    assert any(
        x.startswith("aws-ec2-on-demand.json: ") and "prices not fetched, kept with their own" in x for x in lines
    )
    westus = catalog.azure_vm("westus", "Standard_NC24ads_A100_v4")
    assert (westus.source, westus.as_of) == ("ANYCLOUD_SKYPILOT_AZURE_2026_05_20", "2026-05-20")
    header = json.loads((tmp_path / "catalog" / "aws-ec2-on-demand.json").read_text())
    assert (header["based_on"], header["refreshed"]) == ("2026.11.29", ["aws us-east-1", "azure eastus"])

    # GPU specs of a type the snapshot lacks come from DescribeInstanceTypes (moto's data)
    trn2 = catalog.aws_gpu("trn2.3xlarge")
    assert (trn2.model, trn2.count) == ("Trainium2", 1.0)
    assert any(
        x.startswith("aws: 1 GPU or accelerator types added to aws-gpu-instances.json: trn2.3xlarge") for x in lines
    )


def test_a_scan_priced_from_the_updated_catalog(tmp_path, price_list, moto):
    update(
        UpdateRequest(
            out=tmp_path / "c",
            aws_regions=["us-east-1"],
            today=DAY,
            aws_pricing_endpoint=price_list,
            aws_ec2_endpoint=moto,
        )
    )
    document = Document(
        "p.json",
        dumps(
            plan(
                change(
                    "aws_instance.a",
                    {"instance_type": "g5.xlarge", "instance_market_options": [{"market_type": "spot"}]},
                )
            )
        ),
    )
    result = scan(document, ScanOptions(catalog=load_catalog(tmp_path / "c")))
    (cost,) = result.costs.values()
    assert cost.monthly_cost == pytest.approx(0.00001 * 730)
    assert "spot $1e-05/h" in cost.basis
    assert result.catalog.version == "2026.11.29"


def test_next_page_on_another_host_is_refused(tmp_path, azure):
    AzureHandler.foreign_next_page = True
    with pytest.raises(CatalogError, match=r"next page on another host: http://203\.0\.113\.9/"):
        update(UpdateRequest(out=tmp_path, azure_regions=["eastus"], azure_url=f"{azure}/api/retail/prices", today=DAY))


def test_cli_prices_update_and_scan_with_catalog(tmp_path, azure):
    out, err = io.StringIO(), io.StringIO()
    world = World(out, err, io.BytesIO(), {}, tmp_path)
    argv = ["prices", "update", "--out", "cat", "--azure-region", "eastus", "--azure-url", f"{azure}/api/retail/prices"]
    assert main(argv, world) == 0
    assert "wrote catalog" in out.getvalue()
    vm = change(
        "azurerm_linux_virtual_machine.a",
        {"size": "Standard_NC24ads_A100_v4", "location": "eastus"},
        provider="registry.terraform.io/hashicorp/azurerm",
    )
    (tmp_path / "p.json").write_bytes(dumps(plan(vm)))
    out = io.StringIO()
    code = main(["cost", "p.json", "--catalog", "cat", "-o", "json"], World(out, err, io.BytesIO(), {}, tmp_path))
    assert code == 0
    assert json.loads(out.getvalue())["catalog"]["version"] == date.today().strftime("%Y.%m.%d")


def test_aws_without_credentials_is_one_line_exit_2(tmp_path, price_list, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    import boto3

    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # no credentials cached by an earlier test
    err = io.StringIO()
    argv = ["prices", "update", "--out", "cat", "--aws-region", "us-east-1", "--aws-pricing-endpoint", price_list]
    argv += ["--aws-ec2-endpoint", "http://127.0.0.1:9"]  # never the network, whatever happens
    assert main(argv, World(io.StringIO(), err, io.BytesIO(), {}, tmp_path)) == 2
    assert err.getvalue().count("\n") == 1 and "needs credentials" in err.getvalue(), err.getvalue()


def test_china_regions_are_refused_with_why(tmp_path, price_list, moto):
    err = io.StringIO()
    argv = ["prices", "update", "--out", "cat", "--aws-region", "cn-north-1", "--aws-pricing-endpoint", price_list]
    assert main(argv, World(io.StringIO(), err, io.BytesIO(), {}, tmp_path)) == 2
    assert "China regions are priced by the AWS China Price List" in err.getvalue()


def test_cli_prices_update_needs_a_region(tmp_path):
    err = io.StringIO()
    assert (
        main(["prices", "update", "--out", str(tmp_path)], World(io.StringIO(), err, io.BytesIO(), {}, tmp_path)) == 2
    )
    assert "name at least one --aws-region or --azure-region" in err.getvalue()


def test_catalog_failing_its_schema_is_exit_2_one_line(tmp_path):
    source = Path(__file__).parents[2] / "costwarden" / "pricing" / "catalogs"
    for name in source.glob("*.json"):
        (tmp_path / name.name).write_text(name.read_text())
    broken = json.loads((tmp_path / "gcp-compute.json").read_text())
    broken["currency"] = "EUR"
    (tmp_path / "gcp-compute.json").write_text(json.dumps(broken))
    err = io.StringIO()
    example = Path(__file__).parents[2] / "examples" / "terraform" / "gpu-fleet" / "plan.json"
    code = main(
        ["scan", str(example), "--catalog", str(tmp_path)], World(io.StringIO(), err, io.BytesIO(), {}, Path.cwd())
    )
    assert code == 2
    assert (
        err.getvalue()
        == f"costwarden: error: {tmp_path / 'gcp-compute.json'}: currency: Input should be 'USD' (got \"EUR\")\n"
    )
