from __future__ import annotations

from collections.abc import Iterator

from costwarden.model import Remedy, Resource, Severity
from costwarden.policies.base import Context, Finding, Inconclusive, policy
from costwarden.policies.workloads import gpu_label, workload
from costwarden.pricing.gpus import INFERENCE_CLASSES, TRAINING_CLASSES
from costwarden.pricing.rightsize import cheapest_fitting


@policy(
    id="CW202",
    name="gpu-training-class-for-inference",
    title="Training-class GPU serving inference that a smaller GPU would hold",
    severity=Severity.MEDIUM,
)
def gpu_training_class_for_inference(resource: Resource, context: Context) -> Iterator[Finding | Inconclusive]:
    """Inference serves on an L4, L40S or A10G-class GPU when the model fits one.

    A100, H100, H200 and B200 GPUs are built for training; serving a model that fits an L4,
    L40S or A10G on them pays several times over for memory and compute it never uses.

    Applies to inference: SageMaker endpoints, KServe, vLLM / TGI / Triton-style deployments,
    and anything labelled or tagged ``costwarden.io/workload: inference``. The model's memory
    comes from ``costwarden.io/model-memory-gib`` (annotation or tag) or from its parameter
    count in the model name (2 bytes a parameter, less when quantized, plus 20%). The remedy is
    the cheapest instance of those classes, same provider and region, that holds it.

    Fails: a vLLM Deployment serving ``meta-llama/Llama-3.1-8B-Instruct`` on
    ``node.kubernetes.io/instance-type: p4d.24xlarge`` (8 x A100).

    Passes: the same Deployment on ``g6.xlarge`` (1 x L4, 24 GiB).
    """
    label = gpu_label(resource)
    if label not in TRAINING_CLASSES or workload(resource) != "inference" or resource.compute is None:
        return
    if resource.model_memory_gib is None:
        yield Inconclusive(
            f"{label} serving inference, but the model's memory is unknown "
            "(annotate or tag costwarden.io/model-memory-gib)"
        )
        return
    found = cheapest_fitting(resource.compute, resource.model_memory_gib, INFERENCE_CLASSES, context.catalog)
    if found is None:
        return
    changes, description = found
    model = f"{resource.model} " if resource.model else ""
    size = f"{resource.model_memory_gib:.0f} GiB"
    yield Finding(
        message=f"{label} GPUs serve a {model}model of {size} that an inference-class GPU holds",
        remediation=f"Serve it on {changes['instance_type']}: {description}.",
        remedy=Remedy(changes, description),
    )
