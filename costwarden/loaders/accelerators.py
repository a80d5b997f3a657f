"""What counts as asking for an accelerator, for every loader: the Kubernetes extended resources
of each vendor's device plugin, and GPU or accelerator instance types by name.

``devices()`` turns a container's requests into device-equivalents: MIG slices and HAMi's
shares are fractions of one GPU. Anything that asks for an accelerator must reach the result as
a modelled resource or as a not-evaluated entry: ``mentions()`` finds such asks anywhere in a
document the loaders could not model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

WHOLE_DEVICES = {
    "nvidia.com/gpu": 1.0,
    "amd.com/gpu": 1.0,
    "aws.amazon.com/neuron": 1.0,
    "aws.amazon.com/neurondevice": 1.0,
    "aws.amazon.com/neuroncore": 0.5,
    "google.com/tpu": 1.0,
    "gpu.intel.com/i915": 1.0,
    "gpu.intel.com/xe": 1.0,
    "gpu.intel.com/millicores": 0.001,
    "habana.ai/gaudi": 1.0,
    "qualcomm.com/qaic": 1.0,
}
"""Devices per unit requested. A NeuronCore is counted as half a Neuron device (Inferentia2,
Trainium1 have two); Intel's shared GPUs are requested in millicores."""
ASSUMED = {"aws.amazon.com/neuroncore": "2 NeuronCores per Neuron device assumed (Inferentia2, Trainium1)"}
HAMI_CORES = "nvidia.com/gpucores"
HAMI_MEMORY = "nvidia.com/gpumem-percentage"
_MIG = re.compile(r"^nvidia\.com/mig-(\d+)g\.(\d+)gb$")
_OTHER = re.compile(r"^(?:gpu\.intel\.com/|nvidia\.com/(?:gpumem|gpucores))")
MIG_SLICES = 7
"""A100 and H100 divide into seven compute slices: a ``mig-3g.40gb`` pod holds 3/7 of a GPU."""

GPU_INSTANCE_TYPE = re.compile(
    r"\b(?:ml\.)?(?:p[2-6][a-z0-9-]*|g[3-6][a-z0-9-]*|inf[12][a-z]*|trn[12][a-z]*|dl[12][a-z]*)\.\d*x?large\b"
    r"|\ba[2-4]-(?:high|mega|ultra|edge)gpu-\w+|\bg2-standard-\d+\b|\bct[3-6][a-z]*-\w+"
    r"|\bStandard_N[CDVG]\w*",
    re.IGNORECASE,
)


_NOT_DEVICES = re.compile(r"^(?:cpu|memory|ephemeral-storage|hugepages-\w+|storage|pods|attachable-volumes-.*)$")
_CONTAINER_FIELDS = frozenset(
    [
        "name",
        "image",
        "command",
        "args",
        "workingDir",
        "ports",
        "envFrom",
        "env",
        "resources",
        "resizePolicy",
        "restartPolicy",
        "volumeMounts",
        "volumeDevices",
        "livenessProbe",
        "readinessProbe",
        "startupProbe",
        "lifecycle",
        "terminationMessagePath",
        "terminationMessagePolicy",
        "imagePullPolicy",
        "securityContext",
        "stdin",
        "stdinOnce",
        "tty",
    ]
)


def doubts(container: Mapping[str, Any]) -> Iterator[str]:
    """What in a container would make its accelerator request unreadable, each said: a field
    Kubernetes does not know, a resource name no device plugin here registers, an amount that
    is not a quantity. An accelerator request is never dropped without a word."""
    name = container.get("name", "?")
    for field in container:
        if field not in _CONTAINER_FIELDS:
            yield f"container {name}: unknown field {field!r} (Kubernetes rejects it; nothing in it is read)"
    resources = container.get("resources")
    if not isinstance(resources, Mapping):
        return
    for key, section in resources.items():
        if key not in ("limits", "requests", "claims"):
            yield f"container {name}: unknown resources field {key!r} (not read)"
        elif key != "claims" and isinstance(section, Mapping):
            for resource, amount in section.items():
                text = str(resource)
                if is_accelerator(text):
                    if quantity(amount) <= 0 and str(amount).strip() not in ("0", "0.0"):
                        yield f"container {name}: {text}: {amount!r} is not a quantity (not counted)"
                elif not _NOT_DEVICES.match(text):
                    yield f"container {name}: {text} is not a resource costwarden prices (not an accelerator here)"


def is_accelerator(name: str) -> bool:
    return name in WHOLE_DEVICES or bool(_MIG.match(name)) or bool(_OTHER.match(name))


def quantity(value: Any) -> float:
    """A Kubernetes quantity as a number: ``8``, ``"8"``, ``500m``; anything else 0."""
    text = str(value).strip()
    try:
        return float(text[:-1]) / 1000 if text.endswith("m") else float(text)
    except ValueError:
        return 0.0


def requests(resources: Mapping[str, Any]) -> dict[str, float]:
    """A container's accelerator requests (limits where given, as the device plugins read them)."""
    given_limits, given_requests = resources.get("limits"), resources.get("requests")
    limits: Mapping[str, Any] = given_limits if isinstance(given_limits, Mapping) else {}
    asked: Mapping[str, Any] = given_requests if isinstance(given_requests, Mapping) else {}
    found: dict[str, float] = {}
    for name in {*limits, *asked}:
        if is_accelerator(str(name)):
            found[str(name)] = quantity(limits.get(name, asked.get(name, 0)))
    return found


def devices(asked: Mapping[str, float]) -> float:
    """Device-equivalents for one container's requests."""
    total = 0.0
    for name, amount in asked.items():
        if name == "nvidia.com/gpu":
            share = asked.get(HAMI_CORES, 0.0) or asked.get(HAMI_MEMORY, 0.0)
            total += amount * (min(share, 100.0) / 100 if share > 0 else 1.0)
        elif name in WHOLE_DEVICES:
            total += amount * WHOLE_DEVICES[name]
        elif match := _MIG.match(name):
            total += amount * min(int(match.group(1)), MIG_SLICES) / MIG_SLICES
    return total


def describe(asked: Mapping[str, float]) -> str:
    """``8 nvidia.com/gpu, 1 nvidia.com/mig-3g.40gb``."""
    return ", ".join(f"{amount:g} {name}" for name, amount in sorted(asked.items()) if amount)


def mentions(value: Any, depth: int = 0) -> Iterator[str]:
    """Every accelerator ask in a document: extended-resource keys with an amount, and GPU
    instance types named as values (node selectors, instance type fields)."""
    if depth > 64:
        return
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if isinstance(key, str) and is_accelerator(key) and quantity(inner) > 0:
                yield f"{quantity(inner):g} {key}"
            else:
                yield from mentions(inner, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from mentions(item, depth + 1)
    elif isinstance(value, str) and len(value) < 200 and (match := GPU_INSTANCE_TYPE.search(value)):
        yield match.group(0)
