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

from costwarden.errors import CatalogError
from costwarden.model import CatalogInfo

CATALOG_FILES = (
    "aws-ec2-on-demand.json",
    "aws-gpu-instances.json",
    "aws-sagemaker.json",
    "gcp-compute.json",
    "azure-vm.json",
    "gpu-models.json",
    "spot-discounts.json",
)
"""Each with its schema in ``catalog_schema.SCHEMAS``, imported only to check a catalog."""


@dataclass(frozen=True)
class HourlyPrice:
    usd: float
    source: str
    as_of: str
    spot_usd: float | None = None
    flags: tuple[str, ...] = ()
    """What the basis must say about this figure in a word: "region uncertain", "derived",
    "sources disagree" (see SOURCES.md)."""


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
        band, date, source, _saving = row
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

    def _flags(self, document: Mapping[str, Any], source: str) -> tuple[str, ...]:
        return tuple(document["sources"][source].get("flags", ()))

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
        as_of, flags = self._as_of(self._sagemaker, source), self._flags(self._sagemaker, source)
        return HourlyPrice(float(usd), source, as_of, flags=flags)

    def sagemaker_superseded(self, region: str, instance_type: str, component: str) -> str | None:
        """A listed price the catalog does not use, and why, in words."""
        row = self._sagemaker.get("superseded", {}).get(region, {}).get(instance_type, {}).get(component)
        if row is None:
            return None
        usd, source, why = row
        return f"the listed ${usd}/h ({source}, {self._as_of(self._sagemaker, source)}) {why}"

    def sagemaker_markup(self, instance_type: str, component: str) -> tuple[float, str, bool]:
        """The ML-over-EC2 price ratio for a type and component: observed for its family, else
        for the family it is a variant of (p5en of p5), else pooled for the component over boxes
        of 8+ accelerators, then over its class (GPU and accelerator, or CPU); ``True`` last
        when no price of the component was observed at all and the class's ratio over every
        component is assumed."""
        family = instance_type.removeprefix("ml.").split(".")[0]
        markups: Mapping[str, Mapping[str, list[Any]]] = self._sagemaker["markup"]
        variant_of = max((f for f in markups if f != family and family.startswith(f)), key=len, default=None)
        for observed, said in ((family, ""), (variant_of, f"{family} as a {variant_of} variant: ")):
            if observed is not None and component in markups.get(observed, {}):
                ratio, pairs = markups[observed][component]
                return float(ratio), f"{said}{observed} {component} ratio observed, {_pairs(pairs)}", False
        gpu = self.aws_gpu(instance_type)
        pool = "*gpu" if gpu else "*cpu"
        kind = "GPU and accelerator" if pool == "*gpu" else "CPU"
        pools = [(pool, kind)]
        if gpu is not None and gpu.count >= 8:
            pools.insert(0, ("*gpu8", "8+ accelerator"))
        for name, said in pools:
            if component in markups.get(name, {}):
                ratio, pairs = markups[name][component]
                return float(ratio), f"median of {_pairs(pairs)} of {said} types for {component}", False
        ratio, pairs = markups[pool]["*"]
        return (
            float(ratio),
            f"assumed: no SageMaker {component} price observed; median of all {_pairs(pairs)} of {kind} types",
            True,
        )

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
        flags = ("sources disagree",) if uncertain else ()
        return HourlyPrice(float(usd), source, self._as_of(self._gcp, source), spot, flags)

    # Azure

    def _azure_folded(self, table: str, region: str | None = None) -> Mapping[str, Any]:
        """Azure VM sizes keyed without case: ARM, the CLI and Terraform accept any case."""
        key = ("azure", table, region)
        if key not in self.memo:
            table_rows = self._azure.get(table, {})
            rows = table_rows if region is None else table_rows.get(region, {})
            self.memo[key] = {name.lower(): row for name, row in rows.items()}
        folded: Mapping[str, Any] = self.memo[key]
        return folded

    def azure_vm(self, region: str, vm_size: str) -> HourlyPrice | None:
        row = self._azure_folded("vm_sizes", region).get(vm_size.lower())
        if row is None:
            return None
        usd, spot, source = row
        flags: tuple[str, ...] = ()
        dropped = self._azure_folded("spot_dropped", region).get(vm_size.lower())
        if dropped is not None:
            saving = 100 * (1 - dropped / usd)
            flags = (f"its spot ${dropped}/h, {saving:.0f}% under on-demand, not used as implausible",)
        return HourlyPrice(float(usd), source, self._as_of(self._azure, source), spot, flags)

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
        """Spot's saving over on-demand, percent, and where it comes from in words: the type's
        own saving in the region from the Spot Advisor (AWS), else its family's typical saving
        (the median of its sizes) in this region or across regions."""
        name = instance_type.removeprefix("ml.").removeprefix("Standard_")
        if provider == "aws":
            row = self._bands.get(region, {}).get(name)
            if row is not None:
                _band, date, source, saving = row
                return float(saving), f"{name}'s {saving:g}% saving in {region} (Spot Advisor, {source}, {date})"
        families: Mapping[str, Mapping[str, float]] = self._spot.get(provider, {})
        if provider == "aws":
            family = name.split(".")[0]
        elif provider == "google":
            family = name.rsplit("-", 1)[0]
        else:
            family = next((f for f in families if fnmatch.fnmatchcase(name, f)), name)
        regions = families.get(family)
        if regions is None:
            return None
        dated = self._documents["spot-discounts.json"]["sources"].get(provider, {}).get("as_of", "undated")
        if region in regions:
            return regions[region], f"{family}'s typical {regions[region]:g}% saving in {region} ({dated})"
        if "*" in regions:
            return regions["*"], f"{family}'s typical {regions['*']:g}% saving across regions ({dated})"
        return None


def _pairs(count: int) -> str:
    return "1 pair" if count == 1 else f"{count} pairs"


def validate(name: str, where: str, document: Any) -> None:
    """Raise ``CatalogError`` naming the file, the field and the value that fail the schema."""
    from pydantic import ValidationError

    from costwarden.pricing.catalog_schema import SCHEMAS

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
