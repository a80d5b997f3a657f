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


class Header(_Strict):
    schema_version: Literal[1]
    name: str
    provider: Literal["aws", "google", "azure", "all"]
    version: Annotated[str, Field(pattern=r"^\d{4}\.\d{2}\.\d{2}$")]
    date: Date
    currency: Literal["USD"]
    description: str


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
    markup: dict[str, dict[str, Annotated[float, Field(ge=1)]]]
    """family (or *gpu, *cpu) -> component -> ML price / EC2 price"""


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
    interruption_band: dict[str, dict[str, tuple[str, str, str]]] = {}
    """AWS region -> instance type -> (Spot Advisor band, snapshot date, source id)"""


SCHEMAS: dict[str, type[Header]] = {
    "aws-ec2-on-demand.json": Ec2Catalog,
    "aws-gpu-instances.json": GpuInstancesCatalog,
    "aws-sagemaker.json": SageMakerCatalog,
    "gcp-compute.json": GcpCatalog,
    "azure-vm.json": AzureCatalog,
    "gpu-models.json": GpuModelsCatalog,
    "spot-discounts.json": SpotDiscountCatalog,
}
