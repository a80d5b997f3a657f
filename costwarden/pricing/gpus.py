"""GPU classes across clouds and Kubernetes labels, and the instances that carry them.

One vocabulary for ``A100`` (AWS), ``nvidia-tesla-a100`` (GCE), ``A100-80GB`` (Azure),
``NVIDIA-A100-SXM4-80GB`` (``nvidia.com/gpu.product``) and ``a100`` (Karpenter).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from costwarden.pricing.catalog import Catalog

_CLASSES = (
    (r"GB200", "B200"),
    (r"B200", "B200"),
    (r"H200", "H200"),
    (r"H100", "H100"),
    (r"A100.*80|80.*A100", "A100-80"),
    (r"A100", "A100-40"),
    (r"A10G", "A10G"),
    (r"A10(?!0)", "A10"),
    (r"L40S", "L40S"),
    (r"L4(?!0)", "L4"),
    (r"T4(?!\d)", "T4"),
    (r"V100", "V100"),
    (r"P100", "P100"),
    (r"K80", "K80"),
    (r"M60", "M60"),
    (r"MI300X", "MI300X"),
    (r"INFERENTIA2|INF2", "Inferentia2"),
    (r"INFERENTIA|INF1", "Inferentia1"),
    (r"TRAINIUM2|TRN2", "Trainium2"),
    (r"TRAINIUM|TRN1", "Trainium1"),
)

NEURON_CLASSES = frozenset({"Inferentia1", "Inferentia2", "Trainium1", "Trainium2"})
AMD_CLASSES = frozenset({"MI300X"})


def vendor(label: str | None) -> str:
    """Who makes the accelerator: moving across vendors means porting the model, not resizing."""
    if label in NEURON_CLASSES:
        return "aws-neuron"
    if label in AMD_CLASSES:
        return "amd"
    return "nvidia"


TRAINING_CLASSES = frozenset({"A100-40", "A100-80", "H100", "H200", "B200"})
INFERENCE_CLASSES = frozenset({"L4", "L40S", "A10G", "A10"})

# datasheet memory per class, GiB (gpu-models.json names the rows)
MEMORY_GIB = {
    "B200": 180.0, "H200": 141.0, "H100": 80.0, "A100-80": 80.0, "A100-40": 40.0, "A10G": 24.0, "A10": 24.0,
    "L40S": 48.0, "L4": 24.0, "T4": 16.0, "V100": 16.0, "P100": 16.0, "K80": 12.0, "M60": 8.0,
    "MI300X": 192.0, "Inferentia2": 32.0, "Inferentia1": 8.0, "Trainium2": 96.0, "Trainium1": 32.0,
}  # fmt: skip


_COMPILED = tuple((re.compile(pattern), label) for pattern, label in _CLASSES)


# the gpu-models.json row for each class's FP16 dense throughput (A10/A10G: not in the data)
MODEL_ROWS = {
    "A100-40": "A100-40 (SXM4)", "A100-80": "A100-80 (SXM4)", "H100": "H100 (SXM)", "H200": "H200 (SXM)",
    "B200": "B200 (HGX, 1000 W)", "L4": "L4", "L40S": "L40S", "T4": "T4", "V100": "V100-16 (SXM2)",
    "Inferentia2": "Inferentia2", "Inferentia1": "Inferentia1", "Trainium1": "Trainium1", "Trainium2": "Trainium2",
}  # fmt: skip


def tflops(catalog: Catalog, label: str | None) -> float | None:
    """FP16 dense TFLOPS of one GPU of a class; ``None`` when the data has no figure."""
    row = catalog.gpu_model(MODEL_ROWS.get(label or "", ""))
    return row.fp16_dense_tflops if row else None


@functools.lru_cache(maxsize=1024)
def gpu_class(name: str | None) -> str | None:
    """The class of a GPU named any of the ways clouds and clusters name it."""
    if not name:
        return None
    text = name.upper().replace("_", "-")
    for pattern, label in _COMPILED:
        if pattern.search(text):
            return label
    return None


@dataclass(frozen=True)
class GpuInstance:
    provider: str
    instance_type: str
    gpu_class: str
    gpu_count: float
    memory_gib_per_gpu: float
    hourly: float

    @property
    def memory_gib(self) -> float:
        return self.gpu_count * self.memory_gib_per_gpu

    @property
    def per_gpu(self) -> float:
        return self.hourly / self.gpu_count


def gpu_instances(catalog: Catalog, provider: str, region: str) -> list[GpuInstance]:
    """Every GPU instance type of a provider priced in a region, cheapest first (computed once)."""
    key = ("gpu_instances", provider, region)
    if key not in catalog.memo:
        catalog.memo[key] = _gpu_instances(catalog, provider, region)
    cached: list[GpuInstance] = catalog.memo[key]
    return cached


def _gpu_instances(catalog: Catalog, provider: str, region: str) -> list[GpuInstance]:
    found: list[GpuInstance] = []
    for instance_type, model, count, memory in catalog.gpu_types(provider):
        label = gpu_class(model)
        if label is None or count <= 0:
            continue
        price = catalog.on_demand(provider, region, instance_type)
        if price is None:
            continue
        per_gpu_memory = memory if memory else MEMORY_GIB.get(label, 0.0)
        found.append(GpuInstance(provider, instance_type, label, count, per_gpu_memory, price))
    return sorted(found, key=lambda g: (g.hourly, g.instance_type))


def cheapest_per_gpu(
    catalog: Catalog, provider: str, region: str, label: str, min_gpus: float = 1
) -> GpuInstance | None:
    """The cheapest type per GPU of a class among those with at least ``min_gpus`` GPUs."""
    candidates = [
        g for g in gpu_instances(catalog, provider, region) if g.gpu_class == label and g.gpu_count >= max(min_gpus, 1)
    ]
    return min(candidates, key=lambda g: (g.per_gpu, g.instance_type), default=None)
