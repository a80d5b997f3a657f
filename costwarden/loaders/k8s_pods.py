"""Where each Kubernetes workload kind keeps its pod specs, and how many pods each runs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from costwarden.loaders.values import as_dict, as_int, as_list

Spec = Mapping[str, Any]


@dataclass(frozen=True)
class PodGroup:
    role: str
    replicas: int | None
    """``None`` when only known at run time."""
    pod: Spec
    """The pod spec (containers, nodeSelector, affinity, ...)."""
    labels: Mapping[str, Any] = field(default_factory=dict)
    annotations: Mapping[str, Any] = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    scales_with: float | None = None
    """Pods of this group per pod of the first group, when they scale together (workers of a
    LeaderWorkerSet group with their leader)."""


def _template(template: Any, role: str, replicas: int | None, *assumptions: str) -> PodGroup:
    template = as_dict(template)
    metadata = as_dict(template.get("metadata"))
    return PodGroup(
        role,
        replicas,
        as_dict(template.get("spec")),
        as_dict(metadata.get("labels")),
        as_dict(metadata.get("annotations")),
        tuple(assumptions),
    )


def _replicas(spec: Spec, key: str = "replicas", default: int = 1) -> int | None:
    if key not in spec:
        return default
    return as_int(spec.get(key))


def pod(doc: Spec) -> list[PodGroup]:
    return [PodGroup("pod", 1, as_dict(doc.get("spec")))]


def controller(doc: Spec) -> list[PodGroup]:
    spec = as_dict(doc.get("spec"))
    return [_template(spec.get("template"), "pod", _replicas(spec))]


def daemon_set(doc: Spec) -> list[PodGroup]:
    spec = as_dict(doc.get("spec"))
    return [_template(spec.get("template"), "pod", 1, "one node assumed (a DaemonSet runs a pod per matching node)")]


def job(doc: Spec) -> list[PodGroup]:
    spec = as_dict(doc.get("spec"))
    return [_template(spec.get("template"), "pod", _replicas(spec, "parallelism"))]


def cron_job(doc: Spec) -> list[PodGroup]:
    job_spec = as_dict(as_dict(as_dict(doc.get("spec")).get("jobTemplate")).get("spec"))
    return [_template(job_spec.get("template"), "pod", _replicas(job_spec, "parallelism"))]


def _replica_specs(key: str) -> Callable[[Spec], list[PodGroup]]:
    def groups(doc: Spec) -> list[PodGroup]:
        specs = as_dict(as_dict(doc.get("spec")).get(key))
        return [_template(as_dict(s).get("template"), role, _replicas(as_dict(s))) for role, s in specs.items()]

    return groups


def inference_service(doc: Spec) -> list[PodGroup]:
    """KServe: the predictor (and transformer, explainer); containers or a model framework."""
    found = []
    for role in ("predictor", "transformer", "explainer"):
        component = as_dict(as_dict(doc.get("spec")).get(role))
        if not component:
            continue
        containers = list(as_list(component.get("containers")))
        for key, value in component.items():
            if isinstance(value, dict) and ("resources" in value or "storageUri" in value or "image" in value):
                containers.append({"name": key, **value})
        minimum = as_int(component.get("minReplicas"))
        replicas = 1 if minimum is None and "minReplicas" not in component else minimum
        pod_spec = {**component, "containers": containers}
        found.append(PodGroup(role, replicas, pod_spec, as_dict(as_dict(doc.get("metadata")).get("labels"))))
    return found


def knative_service(doc: Spec) -> list[PodGroup]:
    template = as_dict(as_dict(doc.get("spec")).get("template"))
    annotations = as_dict(as_dict(template.get("metadata")).get("annotations"))
    minimum = as_int(
        annotations.get("autoscaling.knative.dev/min-scale", annotations.get("autoscaling.knative.dev/minScale", 0))
    )
    return [_template(template, "revision", minimum)]


def ray_cluster_spec(spec: Spec) -> list[PodGroup]:
    groups = [_template(as_dict(spec.get("headGroupSpec")).get("template"), "head", 1)]
    for worker in as_list(spec.get("workerGroupSpecs")):
        worker = as_dict(worker)
        replicas = as_int(worker.get("replicas", worker.get("minReplicas", 1)))
        groups.append(_template(worker.get("template"), str(worker.get("groupName", "worker")), replicas))
    return groups


def ray(doc: Spec) -> list[PodGroup]:
    spec = as_dict(doc.get("spec"))
    kind = doc.get("kind")
    if kind == "RayService":
        spec = as_dict(spec.get("rayClusterConfig"))
    elif kind == "RayJob":
        spec = as_dict(spec.get("rayClusterSpec"))
    return ray_cluster_spec(spec)


def leader_worker_set(doc: Spec) -> list[PodGroup]:
    spec = as_dict(doc.get("spec"))
    groups = _replicas(spec)
    template = as_dict(spec.get("leaderWorkerTemplate"))
    size = as_int(template.get("size", 1)) or 1
    worker = template.get("workerTemplate")
    leader = template.get("leaderTemplate") or worker
    found = [_template(leader, "leader", groups)]
    if size > 1:
        workers = _template(worker, "worker", None if groups is None else groups * (size - 1))
        found.append(dataclasses.replace(workers, scales_with=float(size - 1)))
    return found


def llm_inference_service(doc: Spec) -> list[PodGroup]:
    """KServe ``LLMInferenceService``: ``replicas`` pods of ``template`` (decode, or the whole
    server); with ``worker``, each replica is a LeaderWorkerSet group of ``data / dataLocal``
    pods; ``prefill`` is a second pool of its own."""
    spec = as_dict(doc.get("spec"))
    found: list[PodGroup] = []
    for role, part in (("decode", spec), ("prefill", as_dict(spec.get("prefill")))):
        if not part or (role == "prefill" and not (part.get("template") or part.get("worker"))):
            continue
        replicas = _replicas(part)
        parallelism = as_dict(part.get("parallelism") or spec.get("parallelism"))
        if part.get("template"):
            found.append(PodGroup(role, replicas, as_dict(part.get("template"))))
        if part.get("worker"):
            data, local = as_int(parallelism.get("data")), as_int(parallelism.get("dataLocal"))
            size = data // local if data and local else None
            if size is None:
                unknown = ("pods per group unknown: set parallelism.data and dataLocal",)
                workers = PodGroup(f"{role}-worker", None, as_dict(part.get("worker")), assumptions=unknown)
            else:
                count = None if replicas is None else replicas * max(size - 1, 0)
                workers = PodGroup(f"{role}-worker", count, as_dict(part.get("worker")), scales_with=float(size - 1))
            found.append(workers)
    return found


def job_set(doc: Spec) -> list[PodGroup]:
    """JobSet: each replicated job runs ``replicas`` Jobs of ``parallelism`` pods."""
    found = []
    for job_entry in as_list(as_dict(doc.get("spec")).get("replicatedJobs")):
        job_entry = as_dict(job_entry)
        job_spec = as_dict(as_dict(job_entry.get("template")).get("spec"))
        jobs, pods = _replicas(job_entry), _replicas(job_spec, "parallelism")
        count = None if jobs is None or pods is None else jobs * pods
        found.append(_template(job_spec.get("template"), str(job_entry.get("name", "job")), count))
    return found


_REPLICA_KEYS = ("replicas", "minReplicas", "parallelism", "size", "numWorkers", "workers")
MAX_DEPTH = 24


def any_pod_templates(doc: Spec) -> list[PodGroup]:
    """A kind with no builder of its own: every pod template or pod spec anywhere under
    ``spec``, each run by the product of the replica counts (``replicas``, ``minReplicas``,
    ``parallelism``, ...) on the way down to it; the assumption names where they came from."""
    found: list[PodGroup] = []

    def walk(node: Any, where: str, count: int | None, counted: tuple[str, ...], depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        if isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{where}[{index}]", count, counted, depth + 1)
            return
        if not isinstance(node, dict):
            return
        key = next((k for k in _REPLICA_KEYS if k in node and not isinstance(node[k], dict | list)), None)
        if key is not None:
            replicas = as_int(node[key])
            count = None if replicas is None or count is None else count * replicas
            counted = (*counted, f"{where}.{key}")
        how_many = f"{' x '.join(counted)} of them" if counted else "one (no replica count)"
        said = f"pods at {where}, {how_many}"
        if isinstance(node.get("containers"), list):
            found.append(PodGroup(where.rsplit(".", 1)[-1], count, node, assumptions=(said,)))
            return
        template = as_dict(node.get("template"))
        if isinstance(as_dict(template.get("spec")).get("containers"), list):
            group = _template(template, where.rsplit(".", 1)[-1], count, f"pods of {where}.template, {how_many}")
            found.append(group)
            return
        for name, inner in node.items():
            if name not in ("metadata", "status"):
                walk(inner, f"{where}.{name}", count, counted, depth + 1)

    walk(as_dict(doc.get("spec")), "spec", 1, (), 0)
    return found


def volcano_job(doc: Spec) -> list[PodGroup]:
    tasks = as_list(as_dict(doc.get("spec")).get("tasks"))
    return [
        _template(as_dict(t).get("template"), str(as_dict(t).get("name", "task")), _replicas(as_dict(t))) for t in tasks
    ]


def nim_service(doc: Spec) -> list[PodGroup]:
    """NVIDIA NIM operator: the pod is described inline in the spec."""
    spec = as_dict(doc.get("spec"))
    image = as_dict(spec.get("image"))
    container = {
        "name": "nim",
        "image": f"{image.get('repository', '')}:{image.get('tag', '')}",
        "resources": spec.get("resources"),
    }
    pod_spec = {
        "containers": [container],
        **{k: spec[k] for k in ("nodeSelector", "affinity", "tolerations") if k in spec},
    }
    return [PodGroup("pod", _replicas(spec), pod_spec)]


POD_GROUPS: dict[str, Callable[[Spec], list[PodGroup]]] = {
    "Pod": pod,
    "Deployment": controller,
    "StatefulSet": controller,
    "ReplicaSet": controller,
    "ReplicationController": controller,
    "DaemonSet": daemon_set,
    "Job": job,
    "CronJob": cron_job,
    "PyTorchJob": _replica_specs("pytorchReplicaSpecs"),
    "TFJob": _replica_specs("tfReplicaSpecs"),
    "MPIJob": _replica_specs("mpiReplicaSpecs"),
    "XGBoostJob": _replica_specs("xgbReplicaSpecs"),
    "InferenceService": inference_service,
    "RayCluster": ray,
    "RayService": ray,
    "RayJob": ray,
    "LeaderWorkerSet": leader_worker_set,
    "NIMService": nim_service,
    "LLMInferenceService": llm_inference_service,
    "JobSet": job_set,
}


def pod_groups(doc: Spec) -> list[PodGroup] | None:
    """The pod groups of a workload; ``None`` for kinds that run no pods."""
    kind = doc.get("kind")
    api = str(doc.get("apiVersion", ""))
    if kind == "Service" and api.startswith("serving.knative.dev"):
        return knative_service(doc)
    if kind == "Job" and api.startswith("batch.volcano.sh"):
        return volcano_job(doc)
    builder = POD_GROUPS.get(str(kind))
    return builder(doc) if builder else None
