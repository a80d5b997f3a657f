"""Never green by not understanding: every input is evaluated, or said not to be, with file,
line and reason. One case a line where the cases are alike."""

from __future__ import annotations

import json
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costwarden import Document, ScanResult, Severity, scan
from tests.cli_run import run_cli
from tests.plans import change, dumps, plan


def manifest(kind: str, spec: str, api: str = "example.com/v1", name: str = "w") -> Document:
    text = f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: {name}, namespace: ml}}\nspec:\n"
    return Document(f"{name}.yaml", (text + textwrap.indent(textwrap.dedent(spec), "  ")).encode())


def pod(resources: str, selector: str = "node.kubernetes.io/instance-type: p4d.24xlarge") -> str:
    return f"""\
    nodeSelector: {{{selector}}}
    containers:
    - name: c
      image: trainer
      resources: {{limits: {{{resources}}}}}
    """


def only(result: ScanResult):
    assert not result.errors, result.errors
    (resource,) = result.resources
    return resource


# --- paths -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["infra/main.tf", "missing.yaml", "nowhere/"])
def test_a_path_that_does_not_exist_is_an_error_whatever_its_name(tmp_path, path):
    run = run_cli(tmp_path, "scan", path, "-o", "json")
    assert run.code == 2
    assert run.err == f"costwarden: error: {tmp_path / path}: no such file or directory\n"


def test_an_empty_path_is_an_error_not_the_current_folder(tmp_path):
    (tmp_path / "plan.json").write_bytes(dumps(plan(change("aws_instance.a", {"instance_type": "p4d.24xlarge"}))))
    run = run_cli(tmp_path, "scan", "")
    assert run.code == 2 and "an empty path names no input" in run.err
    assert scan("").errors[0].message == "an empty path names no input"  # the library says the same


def test_a_folder_holding_its_own_reports_scans_the_same_twice(tmp_path):
    (tmp_path / "plan.json").write_bytes(
        dumps(plan(change("aws_instance.a", {"instance_type": "g5.xlarge", "tags": None})))
    )
    first = run_cli(tmp_path, "scan", ".", "-o", "json=report.json", "-o", "sarif=report.sarif.json")
    second = run_cli(tmp_path, "scan", ".", "-o", "json")
    assert first.code == second.code == 1, second.err
    assert second.report["summary"]["resources"] == 1
    assert {s["path"].rsplit("/", 1)[-1] for s in second.report["coverage"]["skipped"]} == {
        "report.json",
        "report.sarif.json",
    }


def test_a_report_named_on_its_own_is_an_error(tmp_path):
    (tmp_path / "plan.json").write_bytes(
        dumps(plan(change("aws_instance.a", {"instance_type": "g5.xlarge", "tags": None})))
    )
    run_cli(tmp_path, "scan", "plan.json", "-o", "json=report.json")
    run = run_cli(tmp_path, "scan", "report.json", "-o", "json")
    assert run.code == 2 and "report.json: a costwarden report, not an input to scan" in run.err


def test_walked_files_in_no_known_format_are_skipped_and_listed(tmp_path):
    (tmp_path / "package.json").write_text('{"name": "web"}')
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n")
    run = run_cli(tmp_path, "scan", ".", "-v", "--fail-on", "never")
    assert "Skipped (1):" in run.out and "package.json: not a recognized input" in run.out
    assert "1 file skipped" in run.out


# --- text encoding ---------------------------------------------------------------------------

DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec: {containers: []}\n"
)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (("# caf\xe9\n" + DEPLOYMENT).encode("latin-1"), "m.yaml:1: not UTF-8 text (byte 0xE9 at offset 5)"),
        (
            ("# ok\n" + DEPLOYMENT).encode("utf-16-le"),
            "m.yaml:1: not UTF-8 text (byte 0x00 at offset 1) (UTF-16 or UTF-32 without a byte order mark?)",
        ),
        (b"\xff\xfe" + ("# ok\n" + DEPLOYMENT).encode("utf-16-le"), None),
        (b"\xef\xbb\xbf" + DEPLOYMENT.encode(), None),
        (b"\xff\xfe\x00\x00" + DEPLOYMENT.encode("utf-32-le"), None),
    ],
)
def test_utf8_by_default_utf16_and_32_only_behind_a_bom(data, error):
    result = scan(Document("m.yaml", data, "kubernetes"))
    if error is None:
        assert [r.address for r in result.resources] == ["Deployment/default/d"], result.errors
    else:
        assert [str(e) for e in result.errors] == [error]
        assert result.resources == ()


# --- accelerators -------------------------------------------------------------------------

ONE_P4D_GPU = 1 / 8  # a pod holding one of a p4d.24xlarge's eight A100s


@pytest.mark.parametrize(
    ("resources", "gpus"),
    [
        ("nvidia.com/gpu: 8", 8),
        ("nvidia.com/mig-3g.40gb: 1", 3 / 7),
        ("nvidia.com/mig-1g.10gb: 2", 2 / 7),
        ("nvidia.com/gpu: 1, nvidia.com/gpucores: 25", 0.25),
        ("nvidia.com/gpu: 2, nvidia.com/gpumem-percentage: 50", 1.0),
        ("amd.com/gpu: 2", 2),
        ("aws.amazon.com/neuron: 1", 1),
        ("aws.amazon.com/neuroncore: 2", 1),
        ("google.com/tpu: 4", 4),
        ("gpu.intel.com/i915: 1", 1),
        ("gpu.intel.com/millicores: 500", 0.5),
    ],
)
def test_every_device_plugin_resource_is_an_accelerator(resources, gpus):
    resource = only(scan(manifest("Pod", pod(resources), api="v1")))
    assert resource.compute.gpu.count == pytest.approx(gpus)


def test_a_mig_slice_is_priced_as_its_share_of_the_node():
    resource = only(scan(manifest("Pod", pod("nvidia.com/mig-1g.10gb: 1"), api="v1")))
    assert resource.compute.share == pytest.approx(1 / 7 / 8)


def test_neuroncores_say_what_they_assume():
    resource = only(
        scan(
            manifest(
                "Pod", pod("aws.amazon.com/neuroncore: 2", "node.kubernetes.io/instance-type: inf2.xlarge"), api="v1"
            )
        )
    )
    assert any("2 NeuronCores per Neuron device" in a for a in resource.compute.assumptions)


CRD = """\
replicas: 4
template:
  spec:
    nodeSelector: {node.kubernetes.io/instance-type: p5.48xlarge}
    containers:
    - {name: t, image: trainer, resources: {limits: {nvidia.com/gpu: 8}}}
"""


def test_a_crd_nobody_has_heard_of_is_modelled_from_its_pod_template():
    result = scan(manifest("TrainingRun", CRD))
    resource = only(result)
    assert (resource.compute.count, resource.compute.gpu.count, resource.compute.instance_type) == (4, 8, "p5.48xlarge")
    assert result.costs[resource.key].monthly_cost == pytest.approx(4 * 55.04 * 730, rel=0.01)
    assert any(
        "read generically: pods of spec.template, spec.replicas of them" in a for a in resource.compute.assumptions
    )
    assert result.violations  # and judged: CW101 at least


def test_nested_replica_counts_multiply():
    spec = (
        "groups:\n- replicas: 3\n  template:\n    spec:\n      parallelism: 2\n      template:\n        spec:\n"
        + textwrap.indent(
            "containers:\n- {name: t, image: x, resources: {limits: {nvidia.com/gpu: 1}}}\n", "          "
        )
    )
    assert only(scan(manifest("Fleet", spec))).compute.count == 6


@pytest.mark.parametrize(
    ("kind", "spec", "reason"),
    [
        ("GpuReservation", "resources: {nvidia.com/gpu: 16}\n", "cannot tell how many pods run it"),
        ("NodeGroupClaim", "instanceType: p5.48xlarge\n", "p5.48xlarge"),
        (
            "Deployment",
            "template:\n  spec:\n    nodeSelector: {node.kubernetes.io/instance-type: p4d.24xlarge}\n    containers: [{name: c, image: x}]\n",
            "a GPU node without a GPU request",
        ),
    ],
)
def test_what_asks_for_accelerators_and_cannot_be_modelled_is_not_evaluated(kind, spec, reason):
    result = scan(manifest(kind, spec, api="apps/v1" if kind == "Deployment" else "example.com/v1"))
    (entry,) = result.not_evaluated
    assert (entry.kind, entry.location.path, entry.location.line) == (kind, "w.yaml", 1)
    assert reason in entry.reason


def test_a_configmap_mentioning_gpus_is_data_not_a_workload():
    result = scan(
        Document("c.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: 'nvidia.com/gpu: 8'}\n")
    )
    assert (result.resources, result.not_evaluated) == ((), ())


LLMISVC = """\
replicas: 3
model: {uri: hf://meta-llama/Llama-3.1-8B-Instruct}
template:
  nodeSelector: {node.kubernetes.io/instance-type: g6.xlarge}
  containers:
  - {name: main, image: vllm/vllm-openai, resources: {limits: {nvidia.com/gpu: "1"}}}
"""
MULTI_NODE = (
    LLMISVC
    + """\
parallelism: {tensor: 8, data: 16, dataLocal: 8}
worker:
  nodeSelector: {node.kubernetes.io/instance-type: g6.xlarge}
  containers:
  - {name: main, image: vllm/vllm-openai, resources: {limits: {nvidia.com/gpu: "1"}}}
"""
)


@pytest.mark.parametrize("api", ["serving.kserve.io/v1alpha1", "serving.kserve.io/v1alpha2"])
def test_llm_inference_service(api):
    resource = only(scan(manifest("LLMInferenceService", LLMISVC, api=api)))
    assert (resource.compute.count, resource.compute.gpu.count, resource.category) == (3, 1, "inference_workload")


def test_llm_inference_service_with_workers_counts_each_group():
    resource = only(scan(manifest("LLMInferenceService", MULTI_NODE, api="serving.kserve.io/v1alpha1")))
    assert [c.count for c in (resource.compute, *resource.extra_compute)] == [3, 3]  # 16/8 = 2 pods a group


def test_llm_inference_service_from_base_refs_is_not_evaluated():
    spec = "baseRefs: [{name: h100-config}]\nmodel: {uri: hf://x}\ntemplate:\n  nodeSelector: {node.kubernetes.io/instance-type: p5.48xlarge}\n"
    (entry,) = scan(manifest("LLMInferenceService", spec, api="serving.kserve.io/v1alpha1")).not_evaluated
    assert "LLMInferenceServiceConfig h100-config (baseRefs)" in entry.reason


def test_jobset_runs_replicas_times_parallelism_pods():
    spec = (
        "replicatedJobs:\n- name: workers\n  replicas: 2\n  template:\n    spec:\n      parallelism: 4\n      template:\n        spec:\n"
        + textwrap.indent(pod("nvidia.com/gpu: 8"), "          ")
    )
    resource = only(scan(manifest("JobSet", spec, api="jobset.x-k8s.io/v1alpha2")))
    assert (resource.compute.count, resource.compute.gpu.count) == (8, 8)


LWS = """\
replicas: 4
leaderWorkerTemplate:
  size: 4
  workerTemplate:
    spec:
      nodeSelector: {node.kubernetes.io/instance-type: p5.48xlarge}
      containers:
      - {name: vllm, image: vllm/vllm-openai, resources: {limits: {nvidia.com/gpu: 8}}}
"""


def test_a_leader_worker_set_scales_down_whole_groups():
    from costwarden.model import Remedy, Severity
    from costwarden.policies import Finding, policy
    from tests.scanning import with_policies

    @policy(id="T9", name="halve", title="halve", severity=Severity.LOW)
    def halve(resource, context):
        yield Finding("halve", remedy=Remedy({"replicas": 2}))

    result = scan(manifest("LeaderWorkerSet", LWS, api="leaderworkerset.x-k8s.io/v1"), with_policies(halve))
    (violation,) = result.violations
    assert violation.cost.monthly_savings == pytest.approx(violation.cost.monthly_cost / 2)


def test_ack_hyperparameter_tuning_job_is_its_training_job_times_the_jobs():
    spec = """\
    hyperParameterTuningJobName: tune
    hyperParameterTuningJobConfig:
      strategy: Bayesian
      resourceLimits: {maxNumberOfTrainingJobs: 20, maxParallelTrainingJobs: 4}
    trainingJobDefinition:
      algorithmSpecification: {trainingImage: x, trainingInputMode: File}
      resourceConfig: {instanceType: ml.p4d.24xlarge, instanceCount: 1, volumeSizeInGB: 50}
      stoppingCondition: {maxRuntimeInSeconds: 3600}
    """
    resource = only(scan(manifest("HyperParameterTuningJob", spec, api="sagemaker.services.k8s.aws/v1alpha1")))
    assert resource.address == "HyperParameterTuningJob/tune"
    assert (resource.compute.instance_type, resource.compute.runs_per_month) == ("ml.p4d.24xlarge", 20)


def test_an_ack_kind_not_modelled_that_names_a_gpu_is_not_evaluated():
    spec = "processingJobName: p\nprocessingResources:\n  clusterConfig: {instanceType: ml.g5.12xlarge, instanceCount: 2}\n"
    (entry,) = scan(manifest("ProcessingJob", spec, api="sagemaker.services.k8s.aws/v1alpha1")).not_evaluated
    assert entry.kind == "ACK ProcessingJob" and "ml.g5.12xlarge" in entry.reason


def test_a_cloudformation_custom_resource_naming_a_gpu_is_not_evaluated():
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "Train": {
                "Type": "Custom::TrainingJob",
                "Properties": {"ServiceToken": "arn:x", "InstanceType": "ml.p4d.24xlarge"},
            },
        },
    }
    result = scan(Document("stack.json", json.dumps(template, indent=2).encode()))
    (entry,) = result.not_evaluated
    assert (entry.kind, entry.name) == ("Custom::TrainingJob", "Custom::TrainingJob.Train")
    assert "custom resource" in entry.reason and entry.location.line > 1


def test_a_template_with_nothing_costwarden_models_says_so():
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    result = scan(Document("stack.json", json.dumps(template).encode()))
    assert "no resource of a type costwarden models (the template has AWS::S3::Bucket)" in result.warnings[0].message


# --- modules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("terraform-aws-modules/eks/aws", "'terraform-aws-modules/eks/aws' (registry) is not downloaded"),
        ("git::https://github.com/org/gke.git//modules/pool", "(git) is not downloaded"),
        ("./missing", "module source ./missing not found"),
        ("./empty", "module source ./empty holds no .tf files"),
    ],
)
def test_a_module_call_not_read_is_said_with_its_line(tmp_path, source, reason):
    (tmp_path / "empty").mkdir()
    (tmp_path / "main.tf").write_text(f'provider "aws" {{}}\n\nmodule "gpu" {{\n  source = "{source}"\n}}\n')
    result = scan([str(tmp_path)])
    (entry,) = result.not_evaluated
    assert (entry.kind, entry.name, entry.location.line) == ("module", "module.gpu", 3)
    assert reason in entry.reason
    assert any(w.line == 3 and reason in w.message for w in result.warnings)


# --- unknown values ---------------------------------------------------------------------------


def test_a_known_tag_key_with_an_unknown_value_is_still_checked(tmp_path):
    (tmp_path / "main.tf").write_text(
        'variable "x" {}\nresource "aws_instance" "a" {\n  instance_type = "g5.xlarge"\n  tags = { Test = var.x, Owner = "me" }\n}\n'
    )
    result = scan([str(tmp_path)])
    assert [v.policy_id for v in result.violations] == ["CW101"]
    assert not [w for w in result.warnings if "CW101 not checked" in w.message]


def test_a_tag_map_wholly_unknown_is_not_checked(tmp_path):
    (tmp_path / "main.tf").write_text(
        'variable "t" {}\nresource "aws_instance" "a" {\n  instance_type = "g5.xlarge"\n  tags = var.t\n}\n'
    )
    result = scan([str(tmp_path)])
    assert result.violations == ()
    assert any("CW101 not checked" in w.message for w in result.warnings)


# --- coverage and the strict gate ---------------------------------------------------------------


def test_the_text_report_ends_with_the_coverage_and_lists_what_was_not_evaluated(tmp_path):
    (tmp_path / "crd.yaml").write_bytes(manifest("GpuReservation", "resources: {nvidia.com/gpu: 16}\n").data)
    (tmp_path / "job.yaml").write_bytes(manifest("TrainingRun", CRD, name="run").data)
    run = run_cli(tmp_path, "scan", ".", "--fail-on", "never")
    assert run.code == 0
    assert "Not evaluated (1): no policy judged these" in run.out
    assert "GpuReservation/ml/w: GpuReservation (example.com/v1) asks for 16 nvidia.com/gpu" in run.out
    assert "1 resource · 1 priced · 1 not evaluated" in run.out


@pytest.mark.parametrize(
    ("argv", "config", "code"),
    [([], "", 0), (["--fail-on-unevaluated"], "", 1), ([], "fail_on_unevaluated: true\n", 1)],
)
def test_the_strict_gate_fails_on_anything_not_evaluated(tmp_path, argv, config, code):
    (tmp_path / "crd.yaml").write_bytes(manifest("GpuReservation", "resources: {nvidia.com/gpu: 16}\n").data)
    (tmp_path / ".costwarden.yaml").write_text(config or "fail_on: never\n")
    if config:
        (tmp_path / ".costwarden.yaml").write_text("fail_on: never\n" + config)
    run = run_cli(tmp_path, "scan", "crd.yaml", "-o", "text", "-o", "json=r.json", *argv)
    assert run.code == code, run.out
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["exit_code"] == code and report["coverage"]["not_evaluated"][0]["accelerators"] == "16 nvidia.com/gpu"
    if code:
        assert "FAILED: 1 not evaluated (--fail-on-unevaluated)" in run.out


def test_sarif_carries_what_was_not_evaluated_as_a_tool_notification(tmp_path):
    from tests.reports.test_review_surfaces import validate

    (tmp_path / "crd.yaml").write_bytes(manifest("GpuReservation", "resources: {nvidia.com/gpu: 16}\n").data)
    run_cli(tmp_path, "scan", "crd.yaml", "-o", "sarif=r.sarif")
    document = json.loads((tmp_path / "r.sarif").read_text())
    (note,) = document["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning" and "Not evaluated: GpuReservation" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "crd.yaml"
    assert validate(tmp_path / "r.sarif") == []


def test_markdown_lists_what_was_not_evaluated():
    import io

    from costwarden.reports import REPORTERS, ReportOptions

    stream = io.StringIO()
    REPORTERS["markdown"].render(
        scan(manifest("GpuReservation", "resources: {nvidia.com/gpu: 16}\n")), stream, ReportOptions()
    )
    assert "<details><summary>1 not evaluated: no policy judged these</summary>" in stream.getvalue()


# --- fuzz: damage never makes a scan quietly greener --------------------------------------------

TAGGED = "{finops/team: ml, finops/service: chat, finops/environment: prod, finops/cost-center: CC-1}"
GPU_DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\n"
    f"metadata: {{name: llm, namespace: serve, labels: {TAGGED}}}\n"
    "spec:\n  replicas: 2\n  template:\n    spec:\n"
    "      nodeSelector: {node.kubernetes.io/instance-type: g6.xlarge}\n"
    "      containers:\n      - name: vllm\n        image: vllm/vllm-openai\n"
    "        resources: {limits: {nvidia.com/gpu: 1}}\n"
).encode()


def test_the_fuzzed_manifest_fails_as_it_is():
    result = scan(Document("d.yaml", GPU_DEPLOYMENT))
    assert [v.policy_id for v in result.violations] == ["CW402"]  # a GPU inference fleet with no autoscaler
    assert (result.exit_code(Severity.MEDIUM), result.warnings, result.errors) == (1, (), ())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(GPU_DEPLOYMENT)), st.binary(min_size=1, max_size=8))
def test_inserted_bytes_never_turn_a_failing_scan_into_a_silent_pass(offset, junk):
    """Damage may lose the finding, but then it says so: an error, a warning, a skip."""
    damaged = GPU_DEPLOYMENT[:offset] + junk + GPU_DEPLOYMENT[offset:]
    result = scan(Document("d.yaml", damaged))
    said = result.errors or result.warnings or result.not_evaluated or result.skipped
    assert result.exit_code(Severity.MEDIUM) != 0 or said, damaged
