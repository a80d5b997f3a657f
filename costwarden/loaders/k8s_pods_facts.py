"""What a pod spec says about cost: GPUs requested, the node it needs, spot, the model served."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from costwarden.loaders import accelerators
from costwarden.loaders.values import as_dict, as_list, as_str
from costwarden.model import NodeHints
from costwarden.pricing.gpus import gpu_class

_INSTANCE_TYPE = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
_SPOT = {
    "karpenter.sh/capacity-type": "spot",
    "eks.amazonaws.com/capacityType": "SPOT",
    "cloud.google.com/gke-spot": "true",
    "cloud.google.com/gke-preemptible": "true",
    "kubernetes.azure.com/scalesetpriority": "spot",
}
_SERVING = re.compile(
    r"vllm|text-generation-inference|\btgi\b|triton|tritonserver|torchserve|tensorflow[-/]serving|"
    r"\bnim\b|nvcr\.io/nim|sglang|lmdeploy|ray.*serve|kserve|seldon|llama\.cpp|ollama",
    re.I,
)
_TRAINING = re.compile(r"\btrain(ing)?\b|torchrun|deepspeed|accelerate launch|finetun|fine-tun", re.I)
_PARAMS = re.compile(r"(?<![\w.])(?:(\d+)x)?(\d+(?:\.\d+)?)\s*[bB](?![a-zA-Z0-9])")
_QUANTIZED = (
    (re.compile(r"nf4|fp4|int4|awq|gptq|4bit|4-bit", re.I), 0.5),
    (re.compile(r"int8|fp8|8bit|8-bit|bitsandbytes", re.I), 1.0),
)
_MODEL_FLAGS = ("--model", "--model-id", "--model_id", "--model-name", "--served-model-name", "--model-path")
_MODEL_ENV = ("MODEL_ID", "MODEL_NAME", "MODEL", "HF_MODEL_ID", "MODEL_PATH")


def _asks(container: Any) -> dict[str, float]:
    return accelerators.requests(as_dict(as_dict(container).get("resources")))


def gpus_per_pod(pod: Mapping[str, Any]) -> float:
    """Accelerator devices a pod holds (MIG slices and shares as fractions): the sum over its
    containers, or its largest init container."""
    running = sum(accelerators.devices(_asks(c)) for c in as_list(pod.get("containers")))
    starting = max((accelerators.devices(_asks(c)) for c in as_list(pod.get("initContainers"))), default=0.0)
    return max(running, starting)


def accelerator_asks(pod: Mapping[str, Any]) -> dict[str, float]:
    """What a pod's containers ask of the device plugins, summed by resource name."""
    found: dict[str, float] = {}
    for container in [*as_list(pod.get("containers")), *as_list(pod.get("initContainers"))]:
        for name, amount in _asks(container).items():
            found[name] = found.get(name, 0.0) + amount
    return found


def node_terms(pod: Mapping[str, Any]) -> dict[str, list[str]]:
    """Label -> allowed values, from nodeSelector and required node affinity (``In`` terms)."""
    terms: dict[str, list[str]] = {str(k): [str(v)] for k, v in as_dict(pod.get("nodeSelector")).items()}
    affinity = as_dict(as_dict(as_dict(pod.get("affinity")).get("nodeAffinity")))
    required = as_dict(affinity.get("requiredDuringSchedulingIgnoredDuringExecution"))
    for term in as_list(required.get("nodeSelectorTerms"))[:1]:  # terms are ORed: the first one decides
        for expression in as_list(as_dict(term).get("matchExpressions")):
            expression = as_dict(expression)
            key = as_str(expression.get("key"))
            if key and expression.get("operator") == "In":
                terms.setdefault(key, []).extend(str(v) for v in as_list(expression.get("values")))
    return terms


def node_hints(terms: Mapping[str, list[str]]) -> NodeHints | None:
    for key in _INSTANCE_TYPE:
        if terms.get(key):
            return NodeHints(instance_types=tuple(terms[key]), source=key)
    if terms.get("karpenter.k8s.aws/instance-type"):
        return NodeHints(
            instance_types=tuple(terms["karpenter.k8s.aws/instance-type"]),
            cloud="aws",
            source="karpenter.k8s.aws/instance-type",
        )
    if terms.get("karpenter.k8s.aws/instance-family"):
        return NodeHints(
            families=tuple(terms["karpenter.k8s.aws/instance-family"]),
            cloud="aws",
            source="karpenter.k8s.aws/instance-family",
        )
    for key, cloud in (
        ("karpenter.k8s.aws/instance-gpu-name", "aws"),
        ("cloud.google.com/gke-accelerator", "google"),
        ("nvidia.com/gpu.product", None),
        ("kubernetes.azure.com/accelerator", "azure"),
    ):
        classes = tuple(c for c in (gpu_class(v) for v in terms.get(key, [])) if c)
        if classes:
            return NodeHints(gpu_classes=classes, cloud=cloud, source=key)
    if terms.get("karpenter.sh/nodepool"):
        return NodeHints(node_pool=terms["karpenter.sh/nodepool"][0], cloud="aws", source="karpenter.sh/nodepool")
    return None


def is_spot(terms: Mapping[str, list[str]]) -> bool:
    for key, value in _SPOT.items():
        values = terms.get(key)
        if values and all(v.lower() == value.lower() for v in values):
            return True
    return False


def _texts(pod: Mapping[str, Any]) -> Iterable[str]:
    for container in as_list(pod.get("containers")):
        container = as_dict(container)
        yield str(container.get("image", ""))
        yield " ".join(str(a) for a in as_list(container.get("command")) + as_list(container.get("args")))
        yield str(container.get("storageUri", ""))


def workload_of(kind: str, labels: Mapping[str, Any], pod: Mapping[str, Any]) -> str | None:
    declared = str(labels.get("costwarden.io/workload", "")).lower()
    if declared in ("training", "inference", "batch"):
        return declared
    component = str(labels.get("app.kubernetes.io/component", "")).lower()
    if component in ("inference", "serving", "predictor", "server"):
        return "inference"
    if kind in ("PyTorchJob", "TFJob", "MPIJob", "XGBoostJob"):
        return "training"
    if kind in ("InferenceService", "NIMService", "RayService"):
        return "inference"
    text = " ".join(_texts(pod))
    if _TRAINING.search(text):
        return "training"
    if _SERVING.search(text) or kind == "Service":
        return "inference"
    if kind in ("Job", "CronJob", "RayJob"):
        return "batch"
    return None


def model_of(pod: Mapping[str, Any]) -> str | None:
    for container in as_list(pod.get("containers")):
        container = as_dict(container)
        for env in as_list(container.get("env")):
            env = as_dict(env)
            if env.get("name") in _MODEL_ENV and isinstance(env.get("value"), str):
                return str(env["value"])
        args = [str(a) for a in as_list(container.get("command")) + as_list(container.get("args"))]
        for index, arg in enumerate(args):
            flag, _, value = arg.partition("=")
            if flag in _MODEL_FLAGS:
                if value:
                    return value
                if index + 1 < len(args):
                    return args[index + 1]
        for key in ("storageUri", "image"):
            value = str(container.get(key, ""))
            if "nim/" in value or (key == "storageUri" and value):
                return value
    return None


def quantization(pod: Mapping[str, Any]) -> float:
    """Bytes per parameter the server loads: 2 (FP16), or less when told to quantize."""
    said: list[str] = []
    for container in as_list(pod.get("containers")):
        container = as_dict(container)
        for env in as_list(container.get("env")):
            env = as_dict(env)
            if "QUANT" in str(env.get("name", "")).upper():
                said.append(str(env.get("value", "")))
        args = [str(a) for a in as_list(container.get("command")) + as_list(container.get("args"))]
        for index, arg in enumerate(args):
            if arg.startswith("--quantiz"):
                said.append(arg.partition("=")[2] or (args[index + 1] if index + 1 < len(args) else ""))
    for pattern, size in _QUANTIZED:
        if any(pattern.search(value) for value in said):
            return size
    return 2.0


def model_memory_gib(model: str | None, annotations: Mapping[str, Any], bytes_per_param: float = 2.0) -> float | None:
    """Declared (``costwarden.io/model-memory-gib``), else bytes per parameter plus 20%."""
    declared = annotations.get("costwarden.io/model-memory-gib")
    if declared is not None:
        try:
            return float(declared)
        except (TypeError, ValueError):
            return None
    if not model:
        return None
    match = _PARAMS.search(model.rsplit("/", 1)[-1])
    if not match:
        return None
    billions = float(match.group(2)) * (int(match.group(1)) if match.group(1) else 1)
    return round(billions * bytes_per_param * 1.2 * 1e9 / 2**30, 1)
