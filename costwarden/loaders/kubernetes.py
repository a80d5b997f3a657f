"""Kubernetes manifests: multi-document YAML (or JSON), ``List`` kinds, Helm output, stdin.

Workloads become resources addressed ``Kind/namespace/name``; the GPU ones carry a ``Compute``
whose node the engine prices from the pod's node selectors and affinities. Autoscalers (HPA,
KEDA ScaledObject) become resources linked to their targets; KServe and Knative carry their own
bounds. Karpenter NodePools are read as capacity. Other kinds cost nothing here and are left out.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from costwarden import escape
from costwarden.errors import LoadError
from costwarden.loaders import accelerators
from costwarden.loaders import k8s_pods_facts as facts
from costwarden.loaders.base import Loaded
from costwarden.loaders.cron import runs_per_month
from costwarden.loaders.k8s_pods import PodGroup, any_pod_templates, pod_groups
from costwarden.loaders.sagemaker import from_ack
from costwarden.loaders.text import load_json
from costwarden.loaders.values import as_dict, as_int, as_list, as_str
from costwarden.loaders.yaml_docs import YamlDocument, decode, duplicate_keys, read_documents
from costwarden.model import (
    Category,
    Compute,
    Gpu,
    Location,
    NotEvaluated,
    Problem,
    Resource,
    Scaling,
    Training,
    Workload,
)

NAME: str = "kubernetes"
PATTERNS: tuple[str, ...] = ("*.yaml", "*.yml")
_API = re.compile(rb"^apiVersion:", re.M)
_KIND = re.compile(rb"^kind:", re.M)
_CATEGORY: dict[str | None, Category] = {
    "training": "training_job",
    "inference": "inference_workload",
    "batch": "other",
    None: "other",
}
_CHECKPOINT = re.compile(r"checkpoint|ckpt", re.I)


def sniff(path: str, head: bytes) -> bool:
    if b"AWSTemplateFormatVersion" in head or b"AWS::" in head:
        return False
    if head.lstrip().startswith(b"{"):
        return b'"apiVersion"' in head and b'"kind"' in head
    return bool(_API.search(head) and _KIND.search(head))


def load(path: str, data: bytes) -> Loaded:
    loaded = Loaded()
    try:
        text = decode(path, data)
        documents = list(_documents(path, text))
    except LoadError as exc:
        return Loaded(errors=[Problem(exc.message, path=exc.path, line=exc.line)])
    for document in documents:
        loaded.warnings.extend(duplicate_keys(path, document))
        for item in _items(document):
            _read(path, item, loaded)
    return loaded


def _documents(path: str, text: str) -> Iterator[YamlDocument]:
    if text.lstrip().startswith("{"):
        yield YamlDocument(load_json(path, text), 1)
        return
    yield from read_documents(path, text)


def _items(document: YamlDocument) -> Iterator[YamlDocument]:
    data = document.data
    if isinstance(data, dict) and str(data.get("kind", "")).endswith("List") and "items" in data:
        for item in as_list(data.get("items")):
            yield YamlDocument(item, document.line, document.source)
    else:
        yield document


def _read(path: str, document: YamlDocument, loaded: Loaded) -> None:
    doc = document.data
    where = Location(path, document.line)
    if not isinstance(doc, dict) or not isinstance(doc.get("kind"), str):
        loaded.warnings.append(Problem("not a Kubernetes object (no kind): skipped", path, document.line))
        return
    metadata = as_dict(doc.get("metadata"))
    name = as_str(metadata.get("name")) or as_str(metadata.get("generateName")) or "<unnamed>"
    namespace = as_str(metadata.get("namespace")) or "default"
    kind = doc["kind"]
    address = f"{kind}/{namespace}/{name}"
    api = str(doc.get("apiVersion", ""))
    if api.startswith("sagemaker.services.k8s.aws"):
        ack = from_ack(doc, where)
        loaded.resources.extend(ack.resources)
        loaded.not_evaluated.extend(ack.not_evaluated)
        return
    if kind in ("HorizontalPodAutoscaler", "ScaledObject"):
        loaded.resources.append(_autoscaler(doc, address, namespace, where))
        return
    if kind == "NodePool" and api.startswith("karpenter.sh"):
        loaded.resources.append(
            Resource(
                address=address,
                type=kind,
                provider="kubernetes",
                action="create",
                location=where,
                category="node_pool",
                attributes=doc,
                source_format=NAME,
            )
        )
        return
    if kind in _OPAQUE:
        return
    groups = pod_groups(doc)
    generic = groups is None
    if groups is None:
        groups = [
            dataclasses.replace(g, assumptions=(f"{kind} ({api}) read generically: {g.assumptions[0]}",))
            for g in any_pod_templates(doc)
        ]
    for group in groups:
        for container in [*as_list(group.pod.get("containers")), *as_list(group.pod.get("initContainers"))]:
            for doubt in accelerators.doubts(as_dict(container)):
                loaded.warnings.append(Problem(escape.terminal(doubt), path, document.line, address))
    if not generic and not any(as_list(g.pod.get("containers")) for g in groups):
        said = f"{kind} with no pod template holding containers: nothing in it is checked"
        loaded.warnings.append(Problem(said, path, document.line, address))
    if any(facts.gpus_per_pod(g.pod) > 0 for g in groups):
        loaded.resources.append(_workload(doc, kind, address, groups, where, document.source))
        return
    asks = sorted(set(accelerators.mentions(doc.get("spec"))))
    if asks:
        loaded.not_evaluated.append(NotEvaluated(kind, address, where, _why_not(doc, kind, api, asks), ", ".join(asks)))
    elif not generic:
        loaded.resources.append(_workload(doc, kind, address, groups, where, document.source))


_OPAQUE = frozenset({"ConfigMap", "Secret", "CustomResourceDefinition", "Event"})
"""Kinds whose contents are data, not a description of what runs."""


def _why_not(doc: Mapping[str, Any], kind: str, api: str, asks: list[str]) -> str:
    named = ", ".join(asks[:4]) + (" ..." if len(asks) > 4 else "")
    bases = [as_str(as_dict(ref).get("name")) for ref in as_list(as_dict(doc.get("spec")).get("baseRefs"))]
    if kind == "LLMInferenceService" and bases:
        configs = ", ".join(map(str, bases))
        return f"asks for {named}, but its pods come from LLMInferenceServiceConfig {configs} (baseRefs), not read here"
    if pod_groups(doc) is not None:
        return f"asks for {named} outside the pod resources costwarden prices (a GPU node without a GPU request?)"
    return f"{kind} ({api}) asks for {named}, but costwarden cannot tell how many pods run it"


def _labels(doc: Mapping[str, Any], groups: list[PodGroup]) -> dict[str, str | None]:
    labels: dict[str, str | None] = {}
    for group in groups:
        labels.update({str(k): None if v is None else str(v) for k, v in group.labels.items()})
    labels.update(
        {str(k): None if v is None else str(v) for k, v in as_dict(as_dict(doc.get("metadata")).get("labels")).items()}
    )
    return labels


def _workload(
    doc: Mapping[str, Any], kind: str, address: str, groups: list[PodGroup], where: Location, helm: str | None
) -> Resource:
    labels = _labels(doc, groups)
    annotations = {
        **{k: v for g in groups for k, v in g.annotations.items()},
        **as_dict(as_dict(doc.get("metadata")).get("annotations")),
    }
    primary = next((g for g in groups if facts.gpus_per_pod(g.pod) > 0), groups[0] if groups else None)
    pod = primary.pod if primary else {}
    workload = facts.workload_of(kind, {**annotations, **labels}, pod)
    model = facts.model_of(pod)
    computes = [_compute(doc, kind, group, workload) for group in groups if facts.gpus_per_pod(group.pod) > 0]
    terms = facts.node_terms(pod)
    attributes = dict(doc)
    if helm:
        attributes["costwarden.helm_source"] = helm
    return Resource(
        address=address,
        type=kind,
        provider="kubernetes",
        action="create",
        location=where,
        category=_CATEGORY[workload],
        attributes=attributes,
        tags=labels,
        taggable=True,
        compute=computes[0] if computes else None,
        extra_compute=tuple(computes[1:]),
        node_hints=facts.node_hints(terms) if computes else None,
        scaling=_own_scaling(doc, kind, groups),
        training=_training(doc, groups) if workload == "training" else None,
        model=model,
        model_memory_gib=facts.model_memory_gib(model, annotations, facts.quantization(pod)),
        source_format=NAME,
    )


def _compute(doc: Mapping[str, Any], kind: str, group: PodGroup, workload: str | None) -> Compute:
    gpus = facts.gpus_per_pod(group.pod)
    terms = facts.node_terms(group.pod)
    assumptions = list(group.assumptions)
    run_hours = runs = None
    deadline = _deadline(doc, kind)
    if kind in ("Job", "CronJob", "PyTorchJob", "TFJob", "MPIJob", "XGBoostJob", "RayJob") or (
        kind == "Job" and str(doc.get("apiVersion", "")).startswith("batch.volcano.sh")
    ):
        if deadline is not None:
            run_hours = deadline / 3600
        else:
            assumptions.append("runs all month: no activeDeadlineSeconds (set run_hours in the usage file)")
    if kind == "CronJob":
        schedule = str(as_dict(doc.get("spec")).get("schedule", ""))
        runs = runs_per_month(schedule)
        if runs is None:
            assumptions.append(f"schedule {schedule!r} not understood: one run a month assumed")
        elif run_hours is None:
            run_hours, assumptions[-1] = 730 / max(runs, 1), f"{runs:g} runs a month, each until the next"
    typed: Workload | None = workload if workload in ("training", "inference", "batch") else None  # type: ignore[assignment]
    asks = facts.accelerator_asks(group.pod)
    assumptions += [accelerators.ASSUMED[name] for name in asks if name in accelerators.ASSUMED]
    return Compute(
        provider="kubernetes",
        instance_type=None,
        count=group.replicas,
        scales_with=group.scales_with,
        market="spot" if facts.is_spot(terms) else "on_demand",
        gpu=Gpu("unknown", gpus),
        workload=typed,
        service="k8s",
        run_hours=run_hours,
        runs_per_month=runs,
        assumptions=tuple(assumptions),
    )


def _deadline(doc: Mapping[str, Any], kind: str) -> float | None:
    spec = as_dict(doc.get("spec"))
    if kind == "CronJob":
        spec = as_dict(as_dict(spec.get("jobTemplate")).get("spec"))
    value = spec.get("activeDeadlineSeconds", as_dict(spec.get("runPolicy")).get("activeDeadlineSeconds"))
    seconds = as_int(value)
    return float(seconds) if seconds else None


def _own_scaling(doc: Mapping[str, Any], kind: str, groups: list[PodGroup]) -> Scaling | None:
    spec = as_dict(doc.get("spec"))
    if kind == "InferenceService":
        predictor = as_dict(spec.get("predictor"))
        minimum = as_int(predictor.get("minReplicas", 1))
        return Scaling(min=minimum, max=as_int(predictor.get("maxReplicas")), scale_to_zero=minimum == 0)
    if kind == "Service" and groups:
        annotations = as_dict(as_dict(as_dict(spec.get("template")).get("metadata")).get("annotations"))
        minimum = groups[0].replicas
        maximum = as_int(
            annotations.get("autoscaling.knative.dev/max-scale", annotations.get("autoscaling.knative.dev/maxScale"))
        )
        return Scaling(min=minimum, max=maximum, scale_to_zero=minimum == 0)
    if kind == "NIMService":
        hpa = as_dict(as_dict(spec.get("scale")).get("hpa"))
        if as_dict(spec.get("scale")).get("enabled") and hpa:
            minimum = as_int(hpa.get("minReplicas", 1))
            return Scaling(min=minimum, max=as_int(hpa.get("maxReplicas")), scale_to_zero=minimum == 0)
    if kind in ("RayCluster", "RayService") and (
        spec.get("enableInTreeAutoscaling") or as_dict(spec.get("rayClusterConfig")).get("enableInTreeAutoscaling")
    ):
        cluster = as_dict(spec.get("rayClusterConfig")) or spec
        workers = [as_dict(w) for w in as_list(cluster.get("workerGroupSpecs"))]
        minimum = sum(as_int(w.get("minReplicas", 0)) or 0 for w in workers)
        maximum = sum(as_int(w.get("maxReplicas", 0)) or 0 for w in workers)
        return Scaling(min=minimum, max=maximum, scale_to_zero=minimum == 0)
    return None


def _training(doc: Mapping[str, Any], groups: list[PodGroup]) -> Training:
    mentions = json.dumps([g.pod for g in groups], default=str)
    spot = all(facts.is_spot(facts.node_terms(g.pod)) for g in groups if facts.gpus_per_pod(g.pod) > 0)
    return Training(
        spot=spot,
        checkpoint=bool(_CHECKPOINT.search(mentions)),
        max_runtime_seconds=_deadline(doc, str(doc.get("kind"))),
    )


def _autoscaler(doc: Mapping[str, Any], address: str, namespace: str, where: Location) -> Resource:
    spec = as_dict(doc.get("spec"))
    target = as_dict(spec.get("scaleTargetRef"))
    target_kind = as_str(target.get("kind")) or "Deployment"
    target_name = as_str(target.get("name")) or ""
    if doc["kind"] == "ScaledObject":
        minimum = as_int(spec.get("minReplicaCount", 0))
        maximum = as_int(spec.get("maxReplicaCount", 100))
    else:
        minimum = as_int(spec.get("minReplicas", 1))
        maximum = as_int(spec.get("maxReplicas"))
    return Resource(
        address=address,
        type=str(doc["kind"]),
        provider="kubernetes",
        action="create",
        location=where,
        category="autoscaler",
        attributes=doc,
        scaling=Scaling(min=minimum, max=maximum, scale_to_zero=minimum == 0),
        links={"scale_target": f"{target_kind}/{namespace}/{target_name}"},
        source_format=NAME,
    )
