"""The shape of every catalog file, as pydantic models: validated in the tests for the shipped
snapshot, and at load time for a catalog directory given with ``--catalog``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Date = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Usd = Annotated[float, Field(gt=0)]
SpotUsd = Annotated[float, Field(ge=0)] | None
Percent = Annotated[float, Field(ge=0, le=100)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    description: str
    as_of: str
    flags: tuple[str, ...] = ()
    """What a reader must know about every figure from this source, in a word or two
    ("region uncertain", "provenance uncertain"): said in each basis that uses it."""


class Header(_Strict):
    schema_version: Literal[2]
    """2: source flags, markups with their pair counts, superseded and dropped figures."""
    name: str
    provider: Literal["aws", "google", "azure", "all"]
    version: Annotated[str, Field(pattern=r"^\d{4}\.\d{2}\.\d{2}$")]
    date: Date
    currency: Literal["USD"]
    description: str
    based_on: str | None = None
    """``prices update``: the catalog version it started from; what it did not fetch is that
    version's, each row with its own source and date."""
    refreshed: list[str] = []
    """``prices update``: what was fetched on ``date`` ("aws us-east-1", "azure eastus")."""


class Ec2Catalog(Header):
    sources: dict[str, Source]
    prices: dict[str, dict[str, tuple[Usd, str] | tuple[Usd, str, SpotUsd]]]
    """region -> instance type -> (USD/hour, source id[, spot USD/hour])"""


class GpuInstance(_Strict):
    family: str
    gpu_model: str
    manufacturer: str
    gpu_count: Annotated[float, Field(gt=0)]
    gpu_memory_gib: float | None
    vcpu: Annotated[int, Field(ge=1)]
    memory_gib: Annotated[float, Field(gt=0)]
    source: str


class GpuInstancesCatalog(Header):
    instance_types: dict[str, GpuInstance]


class SageMakerCatalog(Header):
    sources: dict[str, Source]
    prices: dict[str, dict[str, dict[str, tuple[Usd, str]]]]
    """region -> ml instance type -> component -> (USD/hour, source id)"""
    superseded: dict[str, dict[str, dict[str, tuple[Usd, str, str]]]] = {}
    """region -> ml instance type -> component -> (USD/hour, source id, why it is not used)"""
    markup: dict[str, dict[str, tuple[Annotated[float, Field(ge=1)], Annotated[int, Field(ge=1)]]]]
    """family (or the pools *gpu, *cpu) -> component (or * for all) -> (median ML price / EC2
    price observed, number of pairs)"""


class MachineSpec(_Strict):
    gpu_type: str | None
    gpu_count: Annotated[float, Field(ge=0)]


class GcpCatalog(Header):
    sources: dict[str, Source]
    machine_types: dict[str, dict[str, tuple[Usd, SpotUsd, str]]]
    machine_specs: dict[str, MachineSpec]
    accelerators: dict[str, dict[str, tuple[Usd, SpotUsd, str, bool]]]
    """region -> accelerator -> (USD/hour per GPU, spot, source id, uncertain)"""


class VmSpec(_Strict):
    gpu_model: str
    gpu_count: Annotated[float, Field(gt=0)]
    vcpu: Annotated[int, Field(ge=1)]
    memory_gib: Annotated[float, Field(gt=0)]


class AzureCatalog(Header):
    sources: dict[str, Source]
    vm_sizes: dict[str, dict[str, tuple[Usd, SpotUsd, str]]]
    vm_specs: dict[str, VmSpec]
    spot_dropped: dict[str, dict[str, Usd]] = {}
    """region -> VM size -> the source's spot price, not used: implausibly close to on-demand"""


class GpuModelRow(_Strict):
    memory_gib: Annotated[float, Field(gt=0)]
    fp16_dense_tflops: Annotated[float, Field(gt=0)] | None
    memory_bandwidth_gbs: Annotated[float, Field(gt=0)] | None
    architecture: str
    source: str


class GpuModelsCatalog(Header):
    models: dict[str, GpuModelRow]


class SpotDiscountCatalog(Header):
    sources: dict[str, Source]
    discount_pct: dict[str, dict[str, dict[str, Percent]]]
    """provider -> family -> region (or *) -> typical saving, percent"""
    interruption_band: dict[str, dict[str, tuple[str, str, str, Percent]]] = {}
    """AWS region -> instance type -> (Spot Advisor band, snapshot date, source id, saving %)"""
    dropped: list[str] = []
    """Regional typical savings not used, implausibly small (see tsv_import)"""


SCHEMAS: dict[str, type[Header]] = {
    "aws-ec2-on-demand.json": Ec2Catalog,
    "aws-gpu-instances.json": GpuInstancesCatalog,
    "aws-sagemaker.json": SageMakerCatalog,
    "gcp-compute.json": GcpCatalog,
    "azure-vm.json": AzureCatalog,
    "gpu-models.json": GpuModelsCatalog,
    "spot-discounts.json": SpotDiscountCatalog,
}
