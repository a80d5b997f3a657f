"""The shipped price and hardware catalogs: data files in ``catalogs/``, read once.

Every lookup answers ``None`` for what the catalog does not hold; nothing here guesses.
"""

from __future__ import annotations

import copy
import fnmatch
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from costwarden.errors import CatalogError
from costwarden.model import CatalogInfo
from costwarden.pricing.catalog_schema import SCHEMAS

CATALOG_FILES = tuple(SCHEMAS)


@dataclass(frozen=True)
class HourlyPrice:
    usd: float
    source: str
    as_of: str
    spot_usd: float | None = None
    uncertain: bool = False
    """The source's figure disagrees with another source (see SOURCES.md)."""


@dataclass(frozen=True)
class GpuSpec:
    model: str
    count: float
    memory_gib: float | None


@dataclass(frozen=True)
class GpuModel:
    name: str
    memory_gib: float
    fp16_dense_tflops: float | None
    memory_bandwidth_gbs: float | None


_BAND_RATES = {"<5%": 0.025, "5-10%": 0.075, "10-15%": 0.125, "15-20%": 0.175, ">20%": 0.25}


class Catalog:
    """Lookups over the catalogs of one version."""

    def __init__(self, documents: Mapping[str, Mapping[str, Any]]):
        self._documents = documents
        self.fallback_region: str | None = None
        """``--price-fallback-region``: an EC2 type with no price in its region is priced at this
        region's rate, and the basis says so. ``None``: it stays unpriced."""
        first = documents[CATALOG_FILES[0]]
        self.info = CatalogInfo(version=str(first["version"]), date=str(first["date"]))
        self._ec2 = documents["aws-ec2-on-demand.json"]
        self._gpus = documents["aws-gpu-instances.json"]["instance_types"]
        self._sagemaker = documents["aws-sagemaker.json"]
        self._gcp = documents["gcp-compute.json"]
        self._azure = documents["azure-vm.json"]
        self._models = documents["gpu-models.json"]["models"]
        self._spot = documents["spot-discounts.json"]["discount_pct"]
        self._bands = documents["spot-discounts.json"].get("interruption_band", {})
        self.memo: dict[Any, Any] = {}
        """Tables derived from the catalog (GPU instances by region), computed once."""

    def spot_interruptions(self, region: str, instance_type: str) -> tuple[float, str] | None:
        """Interruptions per spot instance-month from the Spot Instance Advisor's band (the share of
        instances interrupted in a month), at the band's midpoint; ``>20%`` is taken as 25%."""
        row = self._bands.get(region, {}).get(instance_type.removeprefix("ml."))
        if row is None:
            return None
        band, date, source = row
        rate = _BAND_RATES.get(band)
        if rate is None:
            return None
        return rate, f"Spot Advisor band {band} for {instance_type.removeprefix('ml.')} in {region} ({source}, {date})"

    def with_fallback_region(self, region: str | None) -> Catalog:
        """This catalog, pricing a missing EC2 region at ``region``'s rate (opted in)."""
        if region is None:
            return self
        found = copy.copy(self)
        found.memo = {}
        found.fallback_region = region
        return found

    @property
    def version(self) -> str:
        return self.info.version

    def _as_of(self, document: Mapping[str, Any], source: str) -> str:
        return str(document["sources"][source]["as_of"])

    # AWS EC2

    def ec2_on_demand(self, region: str, instance_type: str) -> HourlyPrice | None:
        row = self._ec2["prices"].get(region, {}).get(instance_type)
        if row is None:
            return None
        usd, source, *spot = row
        return HourlyPrice(float(usd), source, self._as_of(self._ec2, source), spot[0] if spot else None)

    def ec2_regions(self, instance_type: str) -> list[str]:
        return sorted(r for r, types in self._ec2["prices"].items() if instance_type in types)

    def is_ec2_type(self, instance_type: str) -> bool:
        return any(instance_type in types for types in self._ec2["prices"].values())

    def aws_gpu(self, instance_type: str) -> GpuSpec | None:
        spec = self._gpus.get(instance_type.removeprefix("ml."))
        if spec is None:
            return None
        return GpuSpec(spec["gpu_model"], float(spec["gpu_count"]), spec["gpu_memory_gib"])

    # SageMaker

    def sagemaker(self, region: str, instance_type: str, component: str) -> HourlyPrice | None:
        row = self._sagemaker["prices"].get(region, {}).get(instance_type, {}).get(component)
        if row is None:
            return None
        usd, source = row
        return HourlyPrice(float(usd), source, self._as_of(self._sagemaker, source))

    def sagemaker_markup(self, instance_type: str, component: str) -> tuple[float, str]:
        """The observed ML-over-EC2 price ratio for the family, else the median of its class."""
        family = instance_type.removeprefix("ml.").split(".")[0]
        markups: Mapping[str, Mapping[str, float]] = self._sagemaker["markup"]
        by_component = markups.get(family, {})
        if component in by_component:
            return by_component[component], f"{family} {component} median"
        if by_component:
            other, ratio = sorted(by_component.items())[0]
            return ratio, f"{family} {other} median"
        group = "*gpu" if self.aws_gpu(instance_type) else "*cpu"
        pooled = markups[group]
        ratio = pooled.get(component) or next(iter(pooled.values()))
        kind = "GPU and accelerator" if group == "*gpu" else "CPU"
        return ratio, f"median of all observed {kind} pairs"

    # Google Compute Engine

    def gce_machine(self, region: str, machine_type: str) -> HourlyPrice | None:
        row = self._gcp["machine_types"].get(region, {}).get(machine_type)
        if row is None:
            return None
        usd, spot, source = row
        return HourlyPrice(float(usd), source, self._as_of(self._gcp, source), spot)

    def gce_bundled_gpus(self, machine_type: str) -> GpuSpec | None:
        """The GPUs a machine type comes with (A2, A3, G2, G4), already in its price."""
        spec = self._gcp["machine_specs"].get(machine_type)
        if not spec or not spec["gpu_count"]:
            return None
        return GpuSpec(spec["gpu_type"], float(spec["gpu_count"]), None)

    def gce_accelerator(self, region: str, accelerator: str) -> HourlyPrice | None:
        row = self._gcp["accelerators"].get(region, {}).get(accelerator)
        if row is None:
            return None
        usd, spot, source, uncertain = row
        return HourlyPrice(float(usd), source, self._as_of(self._gcp, source), spot, bool(uncertain))

    # Azure

    def _azure_folded(self, table: str, region: str | None = None) -> Mapping[str, Any]:
        """Azure VM sizes keyed without case: ARM, the CLI and Terraform accept any case."""
        key = ("azure", table, region)
        if key not in self.memo:
            rows = self._azure[table] if region is None else self._azure[table].get(region, {})
            self.memo[key] = {name.lower(): row for name, row in rows.items()}
        folded: Mapping[str, Any] = self.memo[key]
        return folded

    def azure_vm(self, region: str, vm_size: str) -> HourlyPrice | None:
        row = self._azure_folded("vm_sizes", region).get(vm_size.lower())
        if row is None:
            return None
        usd, spot, source = row
        return HourlyPrice(float(usd), source, self._as_of(self._azure, source), spot)

    def azure_gpu(self, vm_size: str) -> GpuSpec | None:
        spec = self._azure_folded("vm_specs").get(vm_size.lower())
        if spec is None:
            return None
        return GpuSpec(spec["gpu_model"], float(spec["gpu_count"]), None)

    # Across providers

    def gpu_types(self, provider: str) -> list[tuple[str, str, float, float | None]]:
        """``(instance type, GPU model, GPUs, GiB per GPU)`` for a provider's GPU types."""
        if provider == "aws":
            return [
                (t, s["gpu_model"], float(s["gpu_count"]), s["gpu_memory_gib"]) for t, s in sorted(self._gpus.items())
            ]
        if provider == "google":
            specs = self._gcp["machine_specs"]
            return [(t, s["gpu_type"], float(s["gpu_count"]), None) for t, s in sorted(specs.items()) if s["gpu_count"]]
        if provider == "azure":
            specs = self._azure["vm_specs"]
            return [(t, s["gpu_model"], float(s["gpu_count"]), None) for t, s in sorted(specs.items())]
        return []

    def on_demand(self, provider: str, region: str, instance_type: str) -> float | None:
        """The on-demand hourly price of a VM or machine type, whatever the provider."""
        price = {
            "aws": self.ec2_on_demand,
            "google": self.gce_machine,
            "azure": self.azure_vm,
        }.get(provider, lambda _r, _t: None)(region, instance_type)
        return price.usd if price else None

    # Shared

    def gpu_model(self, name: str) -> GpuModel | None:
        row = self._models.get(name)
        if row is None:
            return None
        return GpuModel(name, row["memory_gib"], row["fp16_dense_tflops"], row["memory_bandwidth_gbs"])

    def spot_discount_pct(self, provider: str, instance_type: str, region: str) -> tuple[float, str] | None:
        """Typical spot saving for the type's family, in this region or across regions."""
        families: Mapping[str, Mapping[str, float]] = self._spot.get(provider, {})
        name = instance_type.removeprefix("ml.").removeprefix("Standard_")
        if provider == "aws":
            family = name.split(".")[0]
        elif provider == "google":
            family = name.rsplit("-", 1)[0]
        else:
            family = next((f for f in families if fnmatch.fnmatchcase(name, f)), name)
        regions = families.get(family)
        if regions is None:
            return None
        if region in regions:
            return regions[region], family
        if "*" in regions:
            return regions["*"], family
        return None


def validate(name: str, where: str, document: Any) -> None:
    """Raise ``CatalogError`` naming the file, the field and the value that fail the schema."""
    try:
        SCHEMAS[name].model_validate(document)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"])
        value = json.dumps(error.get("input"))[:60] if error["type"] != "missing" else ""
        detail = f" (got {value})" if value else ""
        raise CatalogError(f"{field}: {error['msg']}{detail}", path=where) from None


def load_catalog(directory: Path | None = None, *, check: bool | None = None) -> Catalog:
    """The catalogs in ``directory``; the shipped snapshot when ``None``.

    A directory's files are checked against their schema (``check`` defaults to true for
    them); the shipped snapshot is checked by the tests instead of at every start.
    """
    check = directory is not None if check is None else check
    documents: dict[str, Mapping[str, Any]] = {}
    for name in CATALOG_FILES:
        where = name if directory is None else str(directory / name)
        try:
            if directory is None:
                text = resources.files("costwarden.pricing").joinpath("catalogs", name).read_text("utf-8")
            else:
                text = (directory / name).read_text("utf-8")
            document = json.loads(text)
        except OSError as exc:
            raise CatalogError(f"cannot read catalog: {exc.strerror}", path=where) from None
        except json.JSONDecodeError as exc:
            raise CatalogError(f"invalid JSON: {exc.msg}", path=where, line=exc.lineno) from None
        if check:
            validate(name, where, document)
        documents[name] = document
    versions = {str(d["version"]) for d in documents.values()}
    if len(versions) > 1:
        raise CatalogError(f"catalog files of different versions: {', '.join(sorted(versions))}")
    try:
        return Catalog(documents)
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"malformed catalog: missing {exc}") from None


@cache
def shipped_catalog() -> Catalog:
    return load_catalog()
