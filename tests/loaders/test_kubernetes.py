import io
import textwrap

import pytest

from costwarden import Document, scan
from costwarden.loaders import kubernetes
from tests.scanning import NO_POLICIES

GPU_POD = """
      nodeSelector: {node.kubernetes.io/instance-type: g5.12xlarge}
      containers:
      - name: server
        image: vllm/vllm-openai:v0.6.0
        args: ["--model", "meta-llama/Llama-3.1-8B-Instruct"]
        resources:
          limits: {nvidia.com/gpu: 2}
"""


def load(text, name="m.yaml"):
    loaded = kubernetes.load(name, textwrap.dedent(text).encode())
    assert not loaded.errors, loaded.errors
    return loaded.resources


def scanned(*documents):
    result = scan([Document(name, textwrap.dedent(text).encode()) for name, text in documents], NO_POLICIES)
    assert not result.errors, result.errors
    return {r.address: r for r in result.resources}, result


def workload(kind, api, spec):
    return f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: w, namespace: ml}}\nspec:\n{textwrap.indent(textwrap.dedent(spec), '  ')}"


TEMPLATE = "template:\n  spec:" + GPU_POD.replace("\n      ", "\n    ")


@pytest.mark.parametrize(
    ("kind", "api", "spec", "count"),
    [
        (
            "Pod",
            "v1",
            "nodeSelector: {node.kubernetes.io/instance-type: g5.12xlarge}\ncontainers: [{name: a, resources: {limits: {nvidia.com/gpu: 2}}}]",
            1,
        ),
        ("Deployment", "apps/v1", "replicas: 3\n" + TEMPLATE, 3),
        ("Deployment", "apps/v1", TEMPLATE, 1),
        ("StatefulSet", "apps/v1", "replicas: 2\n" + TEMPLATE, 2),
        ("ReplicaSet", "apps/v1", "replicas: 2\n" + TEMPLATE, 2),
        ("DaemonSet", "apps/v1", TEMPLATE, 1),
        ("Job", "batch/v1", "parallelism: 4\n" + TEMPLATE, 4),
        (
            "CronJob",
            "batch/v1",
            "schedule: '0 2 * * *'\njobTemplate:\n  spec:\n" + textwrap.indent(TEMPLATE, "    "),
            1,
        ),
        (
            "PyTorchJob",
            "kubeflow.org/v1",
            "pytorchReplicaSpecs:\n  Worker:\n    replicas: 4\n" + textwrap.indent(TEMPLATE, "    "),
            4,
        ),
        (
            "TFJob",
            "kubeflow.org/v1",
            "tfReplicaSpecs:\n  Worker:\n    replicas: 2\n" + textwrap.indent(TEMPLATE, "    "),
            2,
        ),
        ("RayCluster", "ray.io/v1", "headGroupSpec:\n" + textwrap.indent(TEMPLATE, "  ") + "\nworkerGroupSpecs: []", 1),
        (
            "LeaderWorkerSet",
            "leaderworkerset.x-k8s.io/v1",
            "replicas: 2\nleaderWorkerTemplate:\n  size: 1\n  workerTemplate:\n"
            + textwrap.indent(TEMPLATE.removeprefix("template:\n"), "    "),
            2,
        ),
        ("Job", "batch.volcano.sh/v1alpha1", "tasks:\n- name: t\n  replicas: 3\n" + textwrap.indent(TEMPLATE, "  "), 3),
        (
            "InferenceService",
            "serving.kserve.io/v1beta1",
            "predictor:\n  minReplicas: 2\n  nodeSelector: {node.kubernetes.io/instance-type: g5.12xlarge}\n  model:\n    modelFormat: {name: pytorch}\n    resources: {limits: {nvidia.com/gpu: 2}}",
            2,
        ),
        (
            "Service",
            "serving.knative.dev/v1",
            "template:\n  metadata:\n    annotations: {autoscaling.knative.dev/min-scale: '1'}\n  spec:"
            + GPU_POD.replace("\n      ", "\n    "),
            1,
        ),
        (
            "NIMService",
            "apps.nvidia.com/v1alpha1",
            "replicas: 2\nimage: {repository: nvcr.io/nim/meta/llama-3.1-8b-instruct, tag: '1.3'}\nnodeSelector: {node.kubernetes.io/instance-type: g5.12xlarge}\nresources: {limits: {nvidia.com/gpu: 2}}",
            2,
        ),
    ],
)
def test_every_pod_spec_location(kind, api, spec, count):
    resources, _ = scanned(("m.yaml", workload(kind, api, spec)))
    resource = resources[f"{kind}/ml/w"]
    assert resource.compute.count == count
    assert resource.compute.gpu.count == 2
    assert resource.compute.instance_type == "g5.12xlarge"
    assert resource.compute.share == 0.5  # 2 of the node's 4 A10Gs


def test_multi_document_list_and_helm_sources():
    text = """
    # Source: chart/templates/a.yaml
    apiVersion: v1
    kind: List
    items:
    - {apiVersion: apps/v1, kind: Deployment, metadata: {name: a}, spec: {template: {spec: {containers: []}}}}
    - {apiVersion: apps/v1, kind: Deployment, metadata: {name: b}, spec: {template: {spec: {containers: []}}}}
    ---
    # Source: chart/templates/c.yaml
    apiVersion: batch/v1
    kind: Job
    metadata: {name: c, namespace: jobs}
    spec: {template: {spec: {containers: []}}}
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: ignored}
    """
    resources = load(text)
    assert [r.address for r in resources] == ["Deployment/default/a", "Deployment/default/b", "Job/jobs/c"]
    assert resources[2].location.line == 10
    assert resources[2].attributes["costwarden.helm_source"] == "chart/templates/c.yaml"


def test_gpus_from_limits_requests_and_init_containers():
    from costwarden.loaders.k8s_pods_facts import gpus_per_pod

    assert (
        gpus_per_pod(
            {
                "containers": [
                    {"resources": {"limits": {"nvidia.com/gpu": 1}}},
                    {"resources": {"requests": {"nvidia.com/gpu": "2"}}},
                ]
            }
        )
        == 3
    )
    assert (
        gpus_per_pod(
            {
                "containers": [{"resources": {"limits": {"amd.com/gpu": 1}}}],
                "initContainers": [{"resources": {"limits": {"amd.com/gpu": 4}}}],
            }
        )
        == 4
    )
    assert gpus_per_pod({"containers": [{"resources": {"limits": {"aws.amazon.com/neuron": 2}}}]}) == 2
    assert gpus_per_pod({"containers": [{"resources": {"limits": {"cpu": 4}}}]}) == 0


@pytest.mark.parametrize(
    ("selector", "instance_type", "market"),
    [
        ("nodeSelector: {node.kubernetes.io/instance-type: p4d.24xlarge}", "p4d.24xlarge", "on_demand"),
        (
            "nodeSelector: {karpenter.k8s.aws/instance-family: g6, karpenter.sh/capacity-type: spot}",
            "g6.xlarge",
            "spot",
        ),
        (
            "nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4, cloud.google.com/gke-spot: 'true'}",
            "g2-standard-4",
            "spot",
        ),
        ("nodeSelector: {nvidia.com/gpu.product: NVIDIA-A10G}", "g5.xlarge", "on_demand"),
        (
            "nodeSelector: {eks.amazonaws.com/capacityType: SPOT, node.kubernetes.io/instance-type: g5.xlarge}",
            "g5.xlarge",
            "spot",
        ),
        (
            "affinity:\n  nodeAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n      nodeSelectorTerms:\n"
            "      - matchExpressions:\n        - {key: node.kubernetes.io/instance-type, operator: In, values: [g6e.xlarge]}",
            "g6e.xlarge",
            "on_demand",
        ),
    ],
)
def test_gpu_node_from_selectors_and_affinity(selector, instance_type, market):
    text = workload("Pod", "v1", selector + "\ncontainers: [{name: a, resources: {limits: {nvidia.com/gpu: 1}}}]")
    resources, result = scanned(("m.yaml", text))
    compute = resources["Pod/ml/w"].compute
    assert (compute.instance_type, compute.market) == (instance_type, market)
    assert result.costs[resources["Pod/ml/w"].key].monthly_cost > 0


def test_gpu_pod_without_node_hint_is_unpriced_and_says_why():
    text = workload("Pod", "v1", "containers: [{name: a, resources: {limits: {nvidia.com/gpu: 1}}}]")
    _, result = scanned(("m.yaml", text))
    assert "no node selector or affinity names the GPU node" in result.warnings[0].message


def test_hpa_and_keda_in_other_files_link_to_their_targets():
    deployment = workload("Deployment", "apps/v1", "replicas: 1\n" + TEMPLATE)
    hpa = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h, namespace: ml}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: w}\n  minReplicas: 2\n  maxReplicas: 6\n"
    resources, _ = scanned(("d.yaml", deployment), ("h.yaml", hpa))
    target = resources["Deployment/ml/w"]
    assert (target.scaling.min, target.scaling.max) == (2, 6)
    assert target.links["autoscaler"] == "HorizontalPodAutoscaler/ml/h"
    assert target.compute.count == 2  # never fewer than the autoscaler's minimum
    keda = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: k, namespace: ml}\nspec:\n  scaleTargetRef: {name: w}\n"
    resources, _ = scanned(("d.yaml", deployment), ("k.yaml", keda))
    assert (resources["Deployment/ml/w"].scaling.min, resources["Deployment/ml/w"].scaling.max) == (0, 100)


def test_karpenter_nodepool_decides_the_node_and_market():
    pool = """
    apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata: {name: gpu}
    spec:
      template:
        spec:
          requirements:
          - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand, spot]}
          - {key: karpenter.k8s.aws/instance-family, operator: In, values: [g6e]}
    """
    pod = workload(
        "Pod",
        "v1",
        "nodeSelector: {karpenter.sh/nodepool: gpu}\ncontainers: [{name: a, resources: {limits: {nvidia.com/gpu: 1}}}]",
    )
    resources, result = scanned(("pool.yaml", pool), ("pod.yaml", pod))
    compute = resources["Pod/ml/w"].compute
    assert compute.instance_type.startswith("g6e.")
    assert compute.market == "spot"
    assert "Karpenter launches spot first" in result.costs[resources["Pod/ml/w"].key].basis


def test_workload_kind_and_model_memory():
    resources = load(workload("Deployment", "apps/v1", TEMPLATE))
    resource = resources[0]
    assert resource.category == "inference_workload"
    assert resource.model == "meta-llama/Llama-3.1-8B-Instruct"
    assert resource.model_memory_gib == pytest.approx(17.9)
    annotated = TEMPLATE.replace(
        "template:\n", "template:\n  metadata:\n    annotations: {costwarden.io/model-memory-gib: '40'}\n"
    )
    assert load(workload("Deployment", "apps/v1", annotated))[0].model_memory_gib == 40


def test_training_job_facts_and_cron_runs():
    job = workload(
        "PyTorchJob",
        "kubeflow.org/v1",
        "runPolicy: {activeDeadlineSeconds: 7200}\npytorchReplicaSpecs:\n  Master:\n    replicas: 1\n"
        + textwrap.indent(TEMPLATE, "    "),
    )
    (resource,) = load(job)
    assert resource.category == "training_job"
    assert resource.compute.run_hours == 2
    assert resource.training.checkpoint is False
    cron = workload(
        "CronJob",
        "batch/v1",
        "schedule: '@daily'\njobTemplate:\n  spec:\n    activeDeadlineSeconds: 3600\n"
        + textwrap.indent(TEMPLATE, "    "),
    )
    (resource,) = load(cron)
    assert (resource.compute.runs_per_month, resource.compute.run_hours) == (pytest.approx(30.4167, rel=1e-4), 1)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: [}\n", "invalid YAML", 3),
        ("", "empty file", None),
    ],
)
def test_bad_yaml_is_a_clean_error(text, message, line):
    loaded = kubernetes.load("bad.yaml", text.encode())
    assert message in loaded.errors[0].message
    assert loaded.errors[0].line == line


def test_document_without_kind_is_a_warning():
    loaded = kubernetes.load(
        "m.yaml", b"apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: []}\n---\njust: data\n"
    )
    assert [r.address for r in loaded.resources] == ["Pod/default/a"]
    assert "not a Kubernetes object (no kind): skipped" in [w.message for w in loaded.warnings]


def test_stdin_stream():
    result = scan("-", NO_POLICIES, stdin=io.BytesIO(workload("Pod", "v1", "containers: []").encode()))
    assert [r.address for r in result.resources] == ["Pod/ml/w"]
