from __future__ import annotations

from collections.abc import Iterator

from costwarden.model import Remedy, Resource, Severity
from costwarden.policies.base import Context, Finding, Inconclusive, policy
from costwarden.policies.workloads import gpu_label, gpus, workload
from costwarden.pricing.gpus import MEMORY_GIB, tflops
from costwarden.pricing.rightsize import cheapest_for_demand


@policy(
    id="CW201",
    name="gpu-underutilized",
    title="Measured GPU utilization far below what the instance is sized for",
    severity=Severity.HIGH,
)
def gpu_underutilized(resource: Resource, context: Context) -> Iterator[Finding | Inconclusive]:
    """Measured GPU use reaches its target: 70% for inference, 80% for training (config).

    When the measured utilization (its 95th percentile when the source gives one, else its
    average) stays below the target over the window, the remedy is the cheapest instance type,
    same provider, region and accelerator maker, whose GPUs cover the measured demand at the
    target (FP16 dense TFLOPS from the GPU specs catalog) and each hold the measured memory peak
    with headroom; fewer GPUs of the same class counts. (A10/A10G have no throughput figure in
    the catalog, so they are not proposed.) When nothing cheaper fits, there is no violation.
    Utilization comes from ``--metrics-file``, CloudWatch or Prometheus (DCGM); a resource this
    change creates has no history and is not judged.

    Fails: an ``ml.p4d.24xlarge`` endpoint measured at 9% average, 14% p95, 12 GiB peak.

    Passes: the same endpoint measured at 75%.
    """
    measured = resource.utilization
    if measured is None or resource.compute is None or not gpus(resource):
        return
    metrics = context.config.metrics
    target = metrics.training_target if workload(resource) == "training" else metrics.inference_target
    use = measured.gpu_util_p95 if measured.gpu_util_p95 is not None else measured.gpu_util_avg
    if use >= target:
        return
    label = gpu_label(resource)
    per_gpu = tflops(context.catalog, label)
    if per_gpu is None:
        yield Inconclusive(f"no throughput figure for {label or 'this GPU'} in the GPU specs catalog")
        return
    demand = use / 100 * gpus(resource) * per_gpu
    peak = measured.gpu_memory_peak_gib
    if peak is None:
        peak = (resource.compute.gpu.memory_gib if resource.compute.gpu else None) or MEMORY_GIB.get(label or "", 0.0)
    found = cheapest_for_demand(resource.compute, demand, peak * metrics.memory_headroom, target, context.catalog)
    if found is None:
        return
    changes, description = found
    window = f" over {measured.window_hours:g} h" if measured.window_hours else ""
    p95 = f", p95 {measured.gpu_util_p95:.0f}%" if measured.gpu_util_p95 is not None else ""
    yield Finding(
        message=(
            f"GPU utilization {measured.gpu_util_avg:.0f}%{p95}{window} ({measured.source}) on {gpus(resource):g} x "
            f"{label}, below the {target:g}% target"
        ),
        remediation=f"Right-size: {description}.",
        remedy=Remedy(changes, description),
    )
