"""``costwarden prices update``: a new dated catalog from the providers' public price APIs.

- AWS EC2 on-demand and SageMaker prices from the AWS Price List API (``pricing`` client,
  ``get_products``), and current spot prices from ``ec2.describe_spot_price_history`` (the
  median across availability zones of each type's latest price). Needs ``costwarden[aws]``.
- Azure VM prices (Linux, pay-as-you-go and spot) from the public Azure Retail Prices API,
  following ``NextPageLink`` while it stays on the same host.

Everything else is carried over from the shipped snapshot. All files are written with the new
version, so a catalog directory is always one consistent set; the shipped snapshot stays the
offline default. Point a scan at the result with ``--catalog DIR``.
"""

from __future__ import annotations

import json
import statistics
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from costwarden.errors import CatalogError, CostwardenError
from costwarden.pricing.catalog import CATALOG_FILES, validate
from costwarden.pricing.tsv_import import AZURE_SPOT_MIN_SAVING_PCT, implausible_spot

AZURE_PRICES_URL = "https://prices.azure.com/api/retail/prices"
AZURE_MAX_PAGES = 500
LINUX_FILTERS = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
    "licenseModel": "No License required",
    "marketoption": "OnDemand",
}
METAL_FILTERS = {**LINUX_FILTERS, "tenancy": "Dedicated", "productFamily": "Compute Instance (bare metal)"}
"""Bare-metal types are listed under dedicated tenancy and their own product family."""


@dataclass
class UpdateRequest:
    out: Path
    aws_regions: Sequence[str] = ()
    azure_regions: Sequence[str] = ()
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    aws_pricing_endpoint: str | None = None
    aws_ec2_endpoint: str | None = None
    azure_url: str = AZURE_PRICES_URL


def shipped_documents() -> dict[str, dict[str, Any]]:
    folder = resources.files("costwarden.pricing").joinpath("catalogs")
    return {name: json.loads(folder.joinpath(name).read_text("utf-8")) for name in CATALOG_FILES}


def update(request: UpdateRequest, log: Callable[[str], None] = lambda _m: None) -> list[Path]:
    documents = shipped_documents()
    based_on = str(documents[CATALOG_FILES[0]]["version"])
    stamp = request.today.isoformat()
    refreshed: list[str] = []
    if request.aws_regions:
        ec2, sagemaker, accelerators = _aws(request, log)
        source = f"AWS_PRICE_LIST_API_{stamp}"
        _merge_prices(documents["aws-ec2-on-demand.json"], ec2, source, stamp, _AWS_NOTE)
        _merge_prices(documents["aws-sagemaker.json"], sagemaker, source, stamp, _SM_NOTE)
        _add_accelerators(documents["aws-gpu-instances.json"], accelerators, stamp, log)
        refreshed += [f"aws {region}" for region in request.aws_regions]
    if request.azure_regions:
        azure = {region: _azure_region(request, region, log) for region in request.azure_regions}
        _merge_azure(documents["azure-vm.json"], azure, f"AZURE_RETAIL_PRICES_API_{stamp}", stamp, log)
        refreshed += [f"azure {region}" for region in request.azure_regions]
    _say_carried_over(documents, stamp, log)
    version = request.today.strftime("%Y.%m.%d")
    written = []
    request.out.mkdir(parents=True, exist_ok=True)
    for name, document in documents.items():
        document["version"], document["date"] = version, stamp
        document["based_on"], document["refreshed"] = based_on, refreshed
        validate(name, str(request.out / name), document)
        path = request.out / name
        path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


def _say_carried_over(documents: Mapping[str, Any], stamp: str, log: Callable[[str], None]) -> None:
    """Prices not fetched keep their own source and date, never the new one; the run says how
    many and how old."""
    for name, table in (("aws-ec2-on-demand.json", "prices"), ("azure-vm.json", "vm_sizes")):
        document = documents[name]
        dates: list[str] = []
        for by_type in document[table].values():
            for row in by_type.values():
                source = next(field for field in row if isinstance(field, str))
                as_of = str(document["sources"][source]["as_of"])
                if as_of != stamp:
                    dates.append(as_of)
        if dates:
            dated = [d for d in dates if d[:1].isdigit()]
            oldest = min(dated) if dated else dates[0]
            log(f"{name}: {len(dates)} prices not fetched, kept with their own source and date (oldest {oldest})")


_AWS_NOTE = (
    "AWS Price List API get_products (Linux, shared tenancy, on-demand); spot: EC2 "
    "DescribeSpotPriceHistory, median across availability zones of the latest price"
)
_SM_NOTE = "AWS Price List API get_products, AmazonSageMaker ML instances"
_AZURE_NOTE = "Azure Retail Prices API, Virtual Machines, Linux consumption (pay-as-you-go and spot)"


def _merge_prices(
    catalog: dict[str, Any], prices: Mapping[str, Mapping[str, Any]], source: str, stamp: str, note: str
) -> None:
    for region, by_type in prices.items():
        current = catalog["prices"].setdefault(region, {})
        for key, value in by_type.items():
            current[key] = _with_source(value, source)
        catalog["prices"][region] = dict(sorted(current.items()))
    catalog["sources"][source] = {"description": note, "as_of": stamp}


def _merge_azure(
    catalog: dict[str, Any],
    fetched: Mapping[str, Mapping[str, tuple[float, float | None]]],
    source: str,
    stamp: str,
    log: Callable[[str], None],
) -> None:
    """Fetched sizes replace their rows; sizes the API did not return keep theirs. A spot price
    saving under ``AZURE_SPOT_MIN_SAVING_PCT`` is not taken, as for the shipped snapshot."""
    dropped_spot = catalog.setdefault("spot_dropped", {})
    for region, sizes in fetched.items():
        current = catalog["vm_sizes"].setdefault(region, {})
        dropped = {size: spot for size, spot in dropped_spot.pop(region, {}).items() if size not in sizes}
        for size, (usd, spot) in sizes.items():
            if spot is not None and implausible_spot(usd, spot):
                dropped[size], spot = spot, None
            current[size] = [usd, spot, source]
        if dropped:
            dropped_spot[region] = dict(sorted(dropped.items()))
            log(f"azure {region}: {len(dropped)} spot prices under {AZURE_SPOT_MIN_SAVING_PCT}% off not taken")
        catalog["vm_sizes"][region] = dict(sorted(current.items()))
    catalog["sources"][source] = {"description": _AZURE_NOTE, "as_of": stamp}


def _add_accelerators(
    catalog: dict[str, Any], found: Mapping[str, dict[str, Any]], stamp: str, log: Callable[[str], None]
) -> None:
    """GPU and accelerator specs of types the catalog does not know yet, so GPU policies see
    them; known types keep theirs (the shipped ones carry fractional GPUs the API counts as 0)."""
    specs = catalog["instance_types"]
    new = sorted(t for t in found if t not in specs)
    for instance_type in new:
        specs[instance_type] = {**found[instance_type], "source": f"EC2 DescribeInstanceTypes ({stamp})"}
    catalog["instance_types"] = dict(sorted(specs.items()))
    if new:
        shown = ", ".join(new[:8]) + (" …" if len(new) > 8 else "")
        log(f"aws: {len(new)} GPU or accelerator types added to aws-gpu-instances.json: {shown}")


def _with_source(value: Any, source: str) -> Any:
    if isinstance(value, dict):  # SageMaker: component -> price
        return {component: [usd, source] for component, usd in sorted(value.items())}
    usd, spot = value
    return [usd, source] if spot is None else [usd, source, spot]


# AWS


def _aws(request: UpdateRequest, log: Callable[[str], None]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError
    except ImportError:
        raise CostwardenError("prices update for AWS needs boto3: pip install 'costwarden[aws]'") from None
    try:
        return _aws_fetch(boto3, request, log)
    except (NoCredentialsError, PartialCredentialsError):
        raise CostwardenError(
            "prices update for AWS needs credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, or an instance role) "
            "allowed pricing:GetProducts, ec2:DescribeSpotPriceHistory and ec2:DescribeInstanceTypes"
        ) from None
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise CostwardenError(f"AWS refused: {error.get('Code', 'error')}: {error.get('Message', '')}"[:300]) from None
    except BotoCoreError as exc:
        raise CostwardenError(f"AWS: {str(exc).splitlines()[0][:300]}") from None


def _aws_fetch(
    boto3: Any, request: UpdateRequest, log: Callable[[str], None]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    pricing = boto3.client("pricing", region_name="us-east-1", endpoint_url=request.aws_pricing_endpoint)
    ec2_prices: dict[str, Any] = {}
    sagemaker_prices: dict[str, Any] = {}
    accelerators: dict[str, Any] = {}
    for region in request.aws_regions:
        if region.startswith("cn-"):
            raise CostwardenError(
                f"{region}: China regions are priced by the AWS China Price List (api.pricing.cn-northwest-1."
                "amazonaws.com.cn, in CNY), which costwarden does not read"
            )
        on_demand = _one_price_each(_ec2_on_demand(pricing, region), f"aws {region} EC2", log)
        if not on_demand:
            raise CostwardenError(f"{region}: the Price List API returned no EC2 prices (is it a region code?)")
        ec2 = boto3.client("ec2", region_name=region, endpoint_url=request.aws_ec2_endpoint)
        spot = _spot_prices(ec2)
        ec2_prices[region] = {t: (usd, spot.get(t)) for t, usd in on_demand.items()}
        sagemaker_prices[region] = _sagemaker(pricing, region, log)
        accelerators.update(_accelerators(ec2))
        ml_types = len(sagemaker_prices[region])
        log(f"aws {region}: {len(on_demand)} EC2 types ({len(spot)} with spot), {ml_types} ML types")
    return ec2_prices, sagemaker_prices, accelerators


def _products(pricing: Any, service: str, filters: Mapping[str, str]) -> Iterator[dict[str, Any]]:
    terms = [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in filters.items()]
    for page in pricing.get_paginator("get_products").paginate(ServiceCode=service, Filters=terms):
        for item in page.get("PriceList", []):
            yield json.loads(item) if isinstance(item, str) else item


def _hourly_on_demand(product: Mapping[str, Any]) -> float | None:
    for offer in product.get("terms", {}).get("OnDemand", {}).values():
        for dimension in offer.get("priceDimensions", {}).values():
            if dimension.get("unit") in ("Hrs", "Hours", "Hour"):
                usd = float(dimension.get("pricePerUnit", {}).get("USD", "0"))
                if usd > 0:
                    return usd
    return None


def _ec2_on_demand(pricing: Any, region: str) -> Iterator[tuple[str, float]]:
    for filters in (LINUX_FILTERS, METAL_FILTERS):
        for product in _products(pricing, "AmazonEC2", {"regionCode": region, **filters}):
            instance_type = product.get("product", {}).get("attributes", {}).get("instanceType")
            usd = _hourly_on_demand(product)
            if instance_type and usd is not None:
                yield instance_type, usd


def _one_price_each(found: Iterable[tuple[str, float]], what: str, log: Callable[[str], None]) -> dict[str, float]:
    """One price per type: where the API gives several products for one type, the lowest is kept
    and the conflict is said, never a silent last-one-wins."""
    prices: dict[str, float] = {}
    conflicts: set[str] = set()
    for key, usd in found:
        if key in prices and prices[key] != usd:
            conflicts.add(key)
        prices[key] = min(usd, prices.get(key, usd))
    if conflicts:
        shown = ", ".join(sorted(conflicts)[:5]) + (" …" if len(conflicts) > 5 else "")
        log(f"{what}: {len(conflicts)} types had several prices; the lowest kept: {shown}")
    return prices


def _sagemaker(pricing: Any, region: str, log: Callable[[str], None]) -> dict[str, dict[str, float]]:
    rows: list[tuple[str, float]] = []
    for product in _products(pricing, "AmazonSageMaker", {"regionCode": region}):
        attributes = product.get("product", {}).get("attributes", {})
        name, component = attributes.get("instanceName"), attributes.get("component")
        usd = _hourly_on_demand(product)
        if name and component and usd is not None and str(name).startswith("ml."):
            rows.append((f"{name}\t{str(component).strip().lower().replace(' ', '_')}", usd))
    found: dict[str, dict[str, float]] = {}
    for key, usd in _one_price_each(rows, f"aws {region} SageMaker", log).items():
        name, component = key.split("\t")
        found.setdefault(name, {})[component] = usd
    return found


def _accelerators(ec2: Any) -> dict[str, dict[str, Any]]:
    """``DescribeInstanceTypes``: the GPUs (``GpuInfo``), Neuron devices (``NeuronInfo``) or
    inference accelerators of every type that has them, in the catalog's shape."""
    found: dict[str, dict[str, Any]] = {}
    for page in ec2.get_paginator("describe_instance_types").paginate():
        for info in page.get("InstanceTypes", []):
            devices = (
                info.get("GpuInfo", {}).get("Gpus")
                or info.get("NeuronInfo", {}).get("NeuronDevices")
                or info.get("InferenceAcceleratorInfo", {}).get("Accelerators")
                or []
            )
            count = sum(float(d.get("Count", 0)) for d in devices)
            if not devices or count <= 0:
                continue
            first = devices[0]
            memory = first.get("MemoryInfo", {}).get("SizeInMiB")
            instance_type = str(info["InstanceType"])
            found[instance_type] = {
                "family": instance_type.split(".")[0],
                "gpu_model": str(first.get("Name", "unknown")),
                "manufacturer": str(first.get("Manufacturer", "aws")).lower(),
                "gpu_count": count,
                "gpu_memory_gib": round(memory / 1024, 2) if memory else None,
                "vcpu": int(info.get("VCpuInfo", {}).get("DefaultVCpus", 1)),
                "memory_gib": round(info.get("MemoryInfo", {}).get("SizeInMiB", 1024) / 1024, 2),
            }
    return found


def _spot_prices(ec2: Any) -> dict[str, float]:
    latest: dict[tuple[str, str], tuple[str, float]] = {}
    paginator = ec2.get_paginator("describe_spot_price_history")
    pages = paginator.paginate(
        ProductDescriptions=["Linux/UNIX", "Linux/UNIX (Amazon VPC)"], StartTime=datetime.now(UTC)
    )
    for page in pages:
        for entry in page.get("SpotPriceHistory", []):
            key = (entry["InstanceType"], entry["AvailabilityZone"])
            stamp = str(entry.get("Timestamp", ""))
            if key not in latest or stamp > latest[key][0]:
                latest[key] = (stamp, float(entry["SpotPrice"]))
    by_type: dict[str, list[float]] = {}
    for (instance_type, _), (_, usd) in latest.items():
        by_type.setdefault(instance_type, []).append(usd)
    return {t: statistics.median(values) for t, values in sorted(by_type.items())}


# Azure


def _azure_region(
    request: UpdateRequest, region: str, log: Callable[[str], None]
) -> dict[str, tuple[float, float | None]]:
    query = f"serviceName eq 'Virtual Machines' and armRegionName eq '{region}' and priceType eq 'Consumption'"
    url: str | None = f"{request.azure_url}?{urllib.parse.urlencode({'$filter': query})}"
    host = urllib.parse.urlsplit(request.azure_url).netloc
    on_demand: dict[str, tuple[str, float]] = {}
    spot: dict[str, tuple[str, float]] = {}
    today = request.today.isoformat()
    pages = 0
    while url:
        if urllib.parse.urlsplit(url).netloc != host:
            raise CatalogError(f"Azure price API sent a next page on another host: {url}")
        pages += 1
        if pages > AZURE_MAX_PAGES:
            raise CatalogError(f"Azure price API: more than {AZURE_MAX_PAGES} pages for {region}")
        page = _get_json(url)
        for item in page.get("Items", []):
            _azure_item(item, on_demand, spot, today)
        url = page.get("NextPageLink") or None
    log(f"azure {region}: {len(on_demand)} VM sizes ({len(spot)} with spot) in {pages} pages")
    return {size: (usd, spot[size][1] if size in spot else None) for size, (_, usd) in on_demand.items()}


def _azure_item(
    item: Mapping[str, Any], on_demand: dict[str, tuple[str, float]], spot: dict[str, tuple[str, float]], today: str
) -> None:
    """A meter's price: the region's own meter (``isPrimaryMeterRegion``), the one in effect
    today (the latest ``effectiveStartDate`` not after today)."""
    size, sku = item.get("armSkuName"), str(item.get("skuName", ""))
    usd = item.get("retailPrice")
    if not size or not isinstance(usd, int | float) or usd <= 0:
        return
    if "Windows" in str(item.get("productName", "")) or sku.endswith("Low Priority"):
        return
    if item.get("unitOfMeasure") not in (None, "1 Hour") or item.get("currencyCode", "USD") != "USD":
        return
    if item.get("isPrimaryMeterRegion") is False:
        return
    start = str(item.get("effectiveStartDate") or "")[:10]
    if start > today:
        return  # announced, not yet in effect
    into = spot if sku.endswith(" Spot") else on_demand
    if size not in into or start >= into[size][0]:
        into[size] = (start, float(usd))


def _get_json(url: str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            document = json.load(response)
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogError(f"Azure price API: {exc}") from None
    if not isinstance(document, dict):
        raise CatalogError("Azure price API: the response is not a JSON object")
    return document
