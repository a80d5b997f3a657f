"""Suppressions through the whole scan, every input kind, with an injected clock."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from costwarden.errors import ConfigError
from costwarden.suppress.baseline import load_baseline
from tests.cli_run import Run, run_cli
from tests.plans import change, dumps, plan

BEFORE_EXPIRY = dt.date(2027, 1, 15)
AFTER_EXPIRY = dt.date(2027, 4, 1)


def run(cwd: Path, *argv: str, today: dt.date = BEFORE_EXPIRY) -> Run:
    return run_cli(cwd, *argv, today=today)


TF = """\
# costwarden:ignore CW101 reason="shared by all teams" until=2027-03-31
resource "aws_instance" "shared" {
  ami           = "ami-1"
  instance_type = "g6.xlarge"
}

resource "aws_instance" "inside" {
  // costwarden:ignore CW101 reason="tagged by the account"
  ami           = "ami-1"
  instance_type = "g6.xlarge"
}

resource "aws_instance" "plain" {
  ami           = "ami-1"
  instance_type = "g6.xlarge"
}
"""


def test_hcl_comments_above_and_inside_a_block(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF)
    result = run(tmp_path, "scan", ".", "-o", "json")
    assert result.violations() == {("CW101", "aws_instance.plain")}
    suppressed = result.suppressed()
    assert suppressed[("CW101", "aws_instance.shared")] == {
        "kind": "inline", "reason": "shared by all teams", "source": f"{tmp_path}/main.tf:1",
        "owner": None, "expires": "2027-03-31", "ticket": None,
    }  # fmt: skip
    assert suppressed[("CW101", "aws_instance.inside")]["source"] == f"{tmp_path}/main.tf:8"


def test_an_expired_inline_ignore_no_longer_suppresses(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF)
    result = run(tmp_path, "scan", ".", "-o", "json", today=AFTER_EXPIRY)
    assert ("CW101", "aws_instance.shared") in result.violations()
    assert "costwarden:ignore CW101 expired on 2027-03-31" in result.warnings()


def test_a_malformed_ignore_is_an_error_naming_file_and_line_and_the_rest_is_still_checked(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF.replace("until=2027-03-31", "until=soon"))
    result = run(tmp_path, "scan", ".", "-o", "json")
    assert result.code == 2
    [error] = result.report["errors"]
    assert (error["path"], error["line"]) == (f"{tmp_path}/main.tf", 1) and "not a date" in error["message"]
    assert ("CW101", "aws_instance.plain") in result.violations()


MODULE_CALLER = 'module "batch" {\n  source = "./modules/batch"\n}\n\nresource "aws_instance" "root" {\n  ami           = "ami-1"\n  instance_type = "g6.xlarge"\n}\n'
MODULE = '# costwarden:ignore CW101 reason="tagged by the batch account"\nresource "aws_instance" "worker" {\n  count         = 2\n  ami           = "ami-1"\n  instance_type = "g6.xlarge"\n}\n'


def test_a_plan_honours_the_ignores_in_the_tf_files_it_maps_to(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MODULE_CALLER)
    (tmp_path / "modules" / "batch").mkdir(parents=True)
    (tmp_path / "modules" / "batch" / "main.tf").write_text(MODULE)
    after = {"ami": "ami-1", "instance_type": "g6.xlarge", "tags": None}
    changes = [
        change(a, after)
        for a in ("module.batch.aws_instance.worker[0]", "module.batch.aws_instance.worker[1]", "aws_instance.root")
    ]
    (tmp_path / "plan.json").write_bytes(dumps(plan(*changes)))
    result = run(tmp_path, "scan", "plan.json", "-o", "json")
    assert result.violations() == {("CW101", "aws_instance.root")}
    assert set(result.suppressed()) == {
        ("CW101", "module.batch.aws_instance.worker[0]"),
        ("CW101", "module.batch.aws_instance.worker[1]"),
    }


DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "embed",
        "namespace": "ml",
        "annotations": {"costwarden.io/ignore": "CW101: labelled by the namespace, until 2027-01-31"},
    },
    "spec": {
        "replicas": 1,
        "template": {
            "spec": {"containers": [{"name": "c", "image": "i", "resources": {"limits": {"nvidia.com/gpu": 1}}}]}
        },
    },
}


def test_kubernetes_annotations(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text(yaml.safe_dump(DEPLOYMENT))
    result = run(tmp_path, "scan", "deploy.yaml", "-o", "json")
    suppression = result.suppressed()[("CW101", "Deployment/ml/embed")]
    assert (suppression["reason"], suppression["expires"]) == ("labelled by the namespace", "2027-01-31")
    later = run(tmp_path, "scan", "deploy.yaml", "-o", "json", today=dt.date(2027, 2, 1))
    assert ("CW101", "Deployment/ml/embed") in later.violations()


TRAINING_JOB = {
    "TrainingJobName": "finetune",
    "AlgorithmSpecification": {"TrainingImage": "img", "TrainingInputMode": "File"},
    "RoleArn": "arn:aws:iam::123456789012:role/r",
    "ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 50},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    "OutputDataConfig": {"S3OutputPath": "s3://b/"},
    "Tags": [{"Key": "costwarden:ignore", "Value": "CW101: a one-off experiment; CW301: an hour on demand"}],
}

CLOUDFORMATION = """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: main
          ModelName: m
          InstanceType: ml.g5.xlarge
          InitialInstanceCount: 1
      Tags:
        - Key: costwarden:ignore
          Value: "CW101: tagged by the stack"
"""


def test_sagemaker_and_cloudformation_tags(tmp_path: Path) -> None:
    (tmp_path / "job.json").write_text(json.dumps(TRAINING_JOB))
    (tmp_path / "stack.yaml").write_text(CLOUDFORMATION)
    result = run(tmp_path, "scan", "job.json", "stack.yaml", "-o", "json")
    kinds = {(policy, address): s["reason"] for (policy, address), s in result.suppressed().items()}
    assert kinds[("CW101", "TrainingJob/finetune")] == "a one-off experiment"
    assert kinds[("CW301", "TrainingJob/finetune")] == "an hour on demand"
    assert kinds[("CW101", "AWS::SageMaker::EndpointConfig.Config")] == "tagged by the stack"
    assert not {p for p, _ in result.violations()} & {"CW101"}


WAIVERS = """\
waivers:
  - policy: CW101
    resource: aws_instance.p*
    reason: owned by the platform team until the re-org
    owner: platform@example.com
    expires: 2027-03-31
    ticket: https://jira.example.com/FINOPS-7
  - policy: CW201
    resource: aws_instance.nothing
    reason: old
    owner: someone
    expires: 2027-06-30
"""


def test_waivers_suppress_with_owner_and_expiry_and_stale_ones_are_reported(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF)
    (tmp_path / ".costwarden-waivers.yaml").write_text(WAIVERS)
    result = run(tmp_path, "scan", ".", "-o", "json")
    assert result.code == 0 and result.violations() == set()
    assert result.suppressed()[("CW101", "aws_instance.plain")] == {
        "kind": "waiver", "reason": "owned by the platform team until the re-org",
        "source": f"{tmp_path}/.costwarden-waivers.yaml:2", "owner": "platform@example.com",
        "expires": "2027-03-31", "ticket": "https://jira.example.com/FINOPS-7",
    }  # fmt: skip
    assert "stale waiver: CW201 aws_instance.nothing matches no violation" in result.warnings()


def test_an_expired_waiver_lets_the_violation_count_again_and_says_when(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF.replace("until=2027-03-31", "until=2027-12-31"))
    (tmp_path / ".costwarden-waivers.yaml").write_text(WAIVERS)
    result = run(tmp_path, "scan", ".", "-o", "json", today=AFTER_EXPIRY)
    assert result.code == 1 and result.violations() == {("CW101", "aws_instance.plain")}
    assert any("(owner platform@example.com) expired on 2027-03-31" in w for w in result.warnings())


def test_a_bad_waivers_file_is_an_error_and_the_scan_still_reports(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF)
    (tmp_path / "w.yaml").write_text(WAIVERS.replace("    owner: someone\n", ""))
    result = run(tmp_path, "scan", ".", "--waivers", "w.yaml", "-o", "json")
    assert result.code == 2
    assert [(e["line"], "waiver without owner" in e["message"]) for e in result.report["errors"]] == [(8, True)]
    assert result.suppressed()[("CW101", "aws_instance.plain")]["kind"] == "waiver"


def test_no_suppress_counts_everything(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF)
    (tmp_path / ".costwarden-waivers.yaml").write_text(WAIVERS)
    result = run(tmp_path, "scan", ".", "--no-suppress", "-o", "json")
    assert len(result.violations()) == 3 and result.report["suppressed"] == []


def test_suppressed_is_visible_in_text_markdown_and_sarif(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF)
    (tmp_path / ".costwarden-waivers.yaml").write_text(WAIVERS)
    result = run(tmp_path, "scan", ".", "-o", "text", "-o", "markdown=r.md", "-o", "sarif=r.sarif", "--no-color")
    assert "3 suppressed (2 inline, 1 waiver):" in result.out
    assert "owner platform@example.com; until 2027-03-31" in result.out
    assert "3 suppressed (2 inline, 1 waiver)" in (tmp_path / "r.md").read_text()
    results = json.loads((tmp_path / "r.sarif").read_text())["runs"][0]["results"]
    kinds = sorted(r["suppressions"][0]["kind"] for r in results)
    assert kinds == ["external", "inSource", "inSource"]
    assert all(r["suppressions"][0]["status"] == "accepted" for r in results)


def _trainers(**instance_types: str) -> bytes:
    after = {"ami": "a", "tags": None}
    return dumps(
        plan(*[change(f"aws_instance.{name}", after | {"instance_type": t}) for name, t in instance_types.items()])
    )


def test_a_baseline_fails_only_on_new_violations_and_lists_fixed_ones(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_bytes(_trainers(t0="g6.xlarge", t1="g6.xlarge"))
    created = run(tmp_path, "baseline", "create", "plan.json", "--out", "base.json")
    assert created.code == 0 and "wrote 2 violations to base.json" in created.err
    assert run(tmp_path, "scan", "plan.json", "--baseline", "base.json", "-o", "json").code == 0

    # t0 is gone (fixed), t1 grew (a new fingerprint: it counts again), t2 is new
    (tmp_path / "plan.json").write_bytes(_trainers(t1="p4d.24xlarge", t2="g6.xlarge"))
    result = run(tmp_path, "scan", "plan.json", "--baseline", "base.json", "-o", "json")
    assert result.code == 1
    assert result.violations() == {("CW101", "aws_instance.t1"), ("CW101", "aws_instance.t2")}
    assert result.report["fixed"] == ["CW101 aws_instance.t0"]
    text = run(tmp_path, "scan", "plan.json", "--baseline", "base.json", "--no-color")
    assert "Fixed since the baseline (1):\n  CW101 aws_instance.t0" in text.out


def test_a_baseline_that_is_not_one_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_bytes(_trainers(t0="g6.xlarge"))
    (tmp_path / "base.json").write_text('{"format": "something-else"}')
    result = run(tmp_path, "scan", "plan.json", "--baseline", "base.json")
    assert result.code == 2 and result.err.count("\n") == 1 and "not a costwarden-baseline file" in result.err


def test_changed_only_leaves_out_resources_this_plan_does_not_change(tmp_path: Path) -> None:
    after = {"ami": "a", "instance_type": "g6.xlarge", "tags": None}
    changes = [
        change("aws_instance.new", after),
        change("aws_instance.kept", after, actions=("no-op",), before=after),
        change("aws_instance.resized", after, actions=("update",), before=after | {"instance_type": "g6.2xlarge"}),
    ]
    (tmp_path / "plan.json").write_bytes(dumps(plan(*changes)))
    everything = run(tmp_path, "scan", "plan.json", "-o", "json")
    assert ("CW101", "aws_instance.kept") in everything.violations()
    changed = run(tmp_path, "scan", "plan.json", "--changed-only", "-o", "json")
    assert changed.violations() == {("CW101", "aws_instance.new"), ("CW101", "aws_instance.resized")}


def test_the_json_report_with_suppressions_matches_its_schema(tmp_path: Path) -> None:
    schema = json.loads((Path(__file__).parents[2] / "costwarden" / "reports" / "json-report.schema.json").read_text())
    (tmp_path / "main.tf").write_text(TF)
    (tmp_path / ".costwarden-waivers.yaml").write_text(WAIVERS)
    report = run(tmp_path, "scan", ".", "-o", "json").report
    assert len(report["suppressed"]) == 3
    jsonschema.validate(report, schema, format_checker=jsonschema.FormatChecker())
    report["suppressed"][0]["suppression"]["kind"] = "wished away"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, schema)


@given(st.binary(max_size=300))
def test_any_baseline_file_loads_or_is_a_one_line_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "base.json"
        path.write_bytes(data)
        try:
            load_baseline(path)
        except ConfigError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('{"format": "costwarden-baseline", "version": 1, "violations": 5}', "must be a list"),
        (
            '{"format": "costwarden-baseline", "version": 1, "violations": [{"policy_id": 1}]}',
            "needs policy_id and address",
        ),
        ('{"format": "costwarden-baseline", "version": 2}', "version 1"),
        ("[1,", "not JSON"),
    ],
)
def test_baseline_errors(tmp_path: Path, text: str, error: str) -> None:
    (tmp_path / "base.json").write_text(text)
    with pytest.raises(ConfigError, match=error):
        load_baseline(tmp_path / "base.json")
