"""The plan loader and the config loader never crash: any input is resources or a clean error."""

import copy
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costwarden import Document, scan
from costwarden.config import load_config
from costwarden.errors import ConfigError
from costwarden.loaders import terraform_plan

EXAMPLE = json.loads((Path(__file__).parents[2] / "examples" / "terraform" / "gpu-fleet" / "plan.json").read_text())

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
plan_words = st.sampled_from(
    [
        "format_version",
        "resource_changes",
        "change",
        "after",
        "after_unknown",
        "actions",
        "tags_all",
        "tags",
        "tag",
        "configuration",
        "provider_config",
        "expressions",
        "default_tags",
        "references",
        "constant_value",
        "module_calls",
        "module",
        "resources",
        "address",
        "type",
        "instance_type",
    ]
)


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*prefix, index))


ALL_PATHS = list(paths(EXAMPLE))[1:]


def replace(document, path, value):
    node = document
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def assert_clean(loaded):
    for problem in loaded.errors + loaded.warnings:
        assert isinstance(problem.message, str) and problem.message
        assert "\n" not in str(problem)
    for resource in loaded.resources:
        assert isinstance(resource.address, str)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_value(value):
    assert_clean(terraform_plan.load("f.json", json.dumps(value).encode()))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(plan_words, json_values, max_size=6))
def test_plan_shaped_objects(value):
    value.setdefault("format_version", "1.2")
    assert_clean(terraform_plan.load("f.json", json.dumps(value).encode()))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(ALL_PATHS), json_values), min_size=1, max_size=4))
def test_mutated_real_plan_scans_without_crashing(mutations):
    document = copy.deepcopy(EXAMPLE)
    for path, value in mutations:
        try:
            replace(document, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed the parent
    result = scan(Document("m.json", json.dumps(document).encode()))
    for problem in result.errors + result.warnings:
        assert "\n" not in str(problem)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data):
    assert_clean(terraform_plan.load("f.json", data))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len(json.dumps(EXAMPLE))))
def test_every_truncation_is_a_clean_error(cut):
    data = json.dumps(EXAMPLE, indent=1).encode()[:cut]
    loaded = terraform_plan.load("f.json", data)
    assert loaded.errors
    assert_clean(loaded)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200) | json_values.map(lambda v: json.dumps(v)))
def test_config_loader_never_crashes(tmp_path, text):
    path = tmp_path / ".costwarden.yaml"
    path.write_text(text)
    try:
        load_config(path)
    except ConfigError as exc:
        assert "\n" not in str(exc)


# Kubernetes, SageMaker and HCL loaders: the same promise.

import yaml  # noqa: E402

from costwarden.loaders import hcl, kubernetes, sagemaker  # noqa: E402
from costwarden.loaders.tf_inputs import TerraformInputs  # noqa: E402

K8S_EXAMPLES = [
    {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "replicas": 2,
            "template": {
                "spec": {
                    "nodeSelector": {"node.kubernetes.io/instance-type": "g5.xlarge"},
                    "containers": [
                        {
                            "name": "c",
                            "image": "vllm/vllm-openai",
                            "args": ["--model", "x/y-8B"],
                            "resources": {"limits": {"nvidia.com/gpu": 1}},
                        }
                    ],
                }
            },
        },
    },
    {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h"},
        "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d"}, "minReplicas": 1},
    },
    {
        "apiVersion": "kubeflow.org/v1",
        "kind": "PyTorchJob",
        "metadata": {"name": "j"},
        "spec": {"pytorchReplicaSpecs": {"Worker": {"replicas": 2, "template": {"spec": {"containers": []}}}}},
    },
    {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "i"},
        "spec": {"predictor": {"minReplicas": 0, "model": {"resources": {}}}},
    },
]
K8S_PATHS = [(i, p) for i, doc in enumerate(K8S_EXAMPLES) for p in list(paths(doc))[1:]]
SAGEMAKER_EXAMPLE = {
    "TrainingJobName": "t",
    "AlgorithmSpecification": {"TrainingImage": "x"},
    "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 2, "InstanceGroups": []},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200},
    "EnableManagedSpotTraining": True,
    "CheckpointConfig": {"S3Uri": "s3://b"},
    "Tags": [{"Key": "a", "Value": "b"}],
}
SAGEMAKER_PATHS = list(paths(SAGEMAKER_EXAMPLE))[1:]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(K8S_PATHS), json_values), min_size=1, max_size=4))
def test_mutated_kubernetes_stream_scans_without_crashing(mutations):
    documents = copy.deepcopy(K8S_EXAMPLES)
    for (index, path), value in mutations:
        try:
            replace(documents[index], path, value)
        except (KeyError, IndexError, TypeError):
            continue
    text = yaml.safe_dump_all(documents)
    result = scan(Document("m.yaml", text.encode()))
    for problem in result.errors + result.warnings:
        assert "\n" not in str(problem)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_yaml_text(text):
    assert_clean(kubernetes.load("m.yaml", text.encode()))
    assert_clean(sagemaker.load("s.yaml", text.encode()))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(SAGEMAKER_PATHS), json_values), min_size=1, max_size=4))
def test_mutated_sagemaker_request_scans_without_crashing(mutations):
    document = copy.deepcopy(SAGEMAKER_EXAMPLE)
    for path, value in mutations:
        try:
            replace(document, path, value)
        except (KeyError, IndexError, TypeError):
            continue
    result = scan(Document("job.json", json.dumps(document).encode()))
    for problem in result.errors + result.warnings:
        assert "\n" not in str(problem)


HCL_PIECES = st.sampled_from(
    [
        'resource "aws_instance" "a" {\n',
        "}\n",
        '  instance_type = "g5.xlarge"\n',
        "  count = 2\n",
        "  for_each = var.x\n",
        '  tags = { "finops:team" = local.t }\n',
        'variable "x" { default = 3 }\n',
        'locals { t = "ml" }\n',
        'module "m" { source = "./nowhere" }\n',
        "  scaling_config {\n",
        '  instance_types = ["g6.xlarge"]\n',
        "= = {\n",
        'provider "aws" {\n  default_tags { tags = { a = "b" } }\n}\n',
        "  user_data = <<EOT\nhi\nEOT\n",
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(st.lists(HCL_PIECES, max_size=12))
def test_hcl_fragments_load_or_fail_cleanly(tmp_path, pieces):
    (tmp_path / "main.tf").write_text("".join(pieces))
    assert_clean(hcl.load_root(tmp_path, TerraformInputs()))
