"""Checkov as a policy source: real Checkov (``.ci/run`` installs it in ``.tools/checkov``)."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli_run import Run, run_cli
from tests.plans import FULL_TAGS, change, dumps, plan
from tests.requires import CHECKOV, needs_checkov


def run(cwd: Path, *argv: str, environ: dict[str, str] | None = None) -> Run:
    return run_cli(cwd, *argv, environ=environ)


def checkov(cwd: Path, *argv: str) -> Run:
    return run(cwd, "scan", *argv, "--checkov", "--checkov-bin", str(CHECKOV), "-o", "json")


GPU = {"ami": "ami-1", "instance_type": "p4d.24xlarge", "tags": None}


def full_plan(*changes: dict[str, Any]) -> bytes:
    """A plan with ``planned_values`` too: Checkov reads resources from there, costwarden from the changes."""
    document = plan(*changes)
    document["planned_values"]["root_module"]["resources"] = [
        {k: c[k] for k in ("address", "mode", "type", "name")}
        | {"values": c["change"]["after"], "provider_name": c["provider_name"]}
        for c in changes
    ]
    return dumps(document)


TF = """\
resource "aws_instance" "trainer" {
  ami           = "ami-1"
  instance_type = "p4d.24xlarge"
}

resource "aws_instance" "skipped" {
  #checkov:skip=CKV_AWS_8:encrypted by the account default
  ami           = "ami-1"
  instance_type = "g6.xlarge"
}
"""


@pytest.mark.checkov
@needs_checkov
def test_a_failing_builtin_check_on_a_plan_is_a_violation_with_no_dollars(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_bytes(full_plan(change("aws_instance.trainer", GPU)))
    result = checkov(tmp_path, "plan.json", "--checkov-check", "CKV_AWS_8")
    violation = result.found("CKV")[("CKV_AWS_8", "aws_instance.trainer")]
    assert violation["severity"] == "high" and "Checkov CKV_AWS_8" in violation["message"]
    assert violation["location"]["path"] == f"{tmp_path}/plan.json"
    assert violation["cost_impact"] is None  # a security check puts no spend at stake
    assert result.code == 1


@pytest.mark.checkov
@needs_checkov
def test_checkov_findings_have_their_own_gate_and_the_verdict_names_what_tripped(tmp_path: Path) -> None:
    tagged = {**GPU, "tags_all": FULL_TAGS}
    (tmp_path / "plan.json").write_bytes(full_plan(change("aws_instance.trainer", tagged)))
    argv = ["scan", "plan.json", "--checkov", "--checkov-bin", str(CHECKOV), "--checkov-check", "CKV_AWS_8"]
    assert run(tmp_path, *argv, "--fail-on", "never", "--fail-on-cost", "1000").code == 0  # the cost gate only
    tripped = run(tmp_path, *argv, "--fail-on", "never", "--checkov-fail-on", "high")
    assert tripped.code == 1 and "FAILED: 1 Checkov finding at or above high (--checkov-fail-on)" in tripped.out
    assert run(tmp_path, *argv, "--checkov-fail-on", "never").code == 0  # CW policies pass; Checkov never fails


@pytest.mark.checkov
@needs_checkov
def test_a_tf_directory_and_checkovs_own_skip_comments(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF)
    result = checkov(tmp_path, ".", "--checkov-check", "CKV_AWS_8")
    assert set(result.found("CKV")) == {("CKV_AWS_8", "aws_instance.trainer")}
    assert result.found("CKV")[("CKV_AWS_8", "aws_instance.trainer")]["location"] == {
        "path": f"{tmp_path}/main.tf",
        "line": 1,
    }


@pytest.mark.checkov
@needs_checkov
def test_a_plan_honours_checkov_skip_comments_in_the_tf_it_maps_to(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF)
    changes = [
        change("aws_instance.trainer", GPU),
        change("aws_instance.skipped", GPU | {"instance_type": "g6.xlarge"}),
    ]
    (tmp_path / "plan.json").write_bytes(full_plan(*changes))
    result = checkov(tmp_path, "plan.json", "--checkov-check", "CKV_AWS_8")
    assert set(result.found("CKV")) == {("CKV_AWS_8", "aws_instance.trainer")}
    [suppressed] = [v for v in result.report["suppressed"] if v["policy_id"] == "CKV_AWS_8"]
    assert suppressed["suppression"]["reason"] == "encrypted by the account default"
    assert result.found("CKV")[("CKV_AWS_8", "aws_instance.trainer")]["location"]["path"] == f"{tmp_path}/main.tf"


DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "llm", "namespace": "serving"},
    "spec": {
        "replicas": 1,
        "template": {
            "spec": {
                "containers": [
                    {"name": "vllm", "image": "vllm/vllm-openai", "resources": {"limits": {"nvidia.com/gpu": 1}}}
                ]
            }
        },
    },
}


@pytest.mark.checkov
@needs_checkov
def test_kubernetes_findings_land_on_costwardens_resource(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text(yaml.safe_dump(DEPLOYMENT))
    result = checkov(tmp_path, "deploy.yaml", "--checkov-check", "CKV_K8S_14,CKV_K8S_8")
    assert set(result.found("CKV")) == {
        ("CKV_K8S_14", "Deployment/serving/llm"),
        ("CKV_K8S_8", "Deployment/serving/llm"),
    }
    skipped = checkov(
        tmp_path, "deploy.yaml", "--checkov-check", "CKV_K8S_14,CKV_K8S_8", "--checkov-skip-check", "CKV_K8S_8"
    )
    assert set(skipped.found("CKV")) == {("CKV_K8S_14", "Deployment/serving/llm")}


PYTHON_CHECK = """
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class InstanceNamesAnOwner(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="Instances carry an owner tag",
            id="CKV_ACME_1",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_instance"],
            guideline="https://wiki.example.com/policies/owner-tag",
        )

    def scan_resource_conf(self, conf):
        tags = conf.get("tags")
        tags = tags[0] if isinstance(tags, list) and tags else tags
        return CheckResult.PASSED if isinstance(tags, dict) and "owner" in tags else CheckResult.FAILED


check = InstanceNamesAnOwner()
"""

YAML_CHECK = """\
metadata:
  id: "CKV2_ACME_2"
  name: "Instances use an approved GPU family (g6)"
  category: "GENERAL_SECURITY"
  severity: "MEDIUM"
  guideline: "https://wiki.example.com/policies/gpu-family"
definition:
  cond_type: attribute
  resource_types:
    - aws_instance
  attribute: instance_type
  operator: starting_with
  value: "g6"
"""


@pytest.mark.checkov
@needs_checkov
def test_custom_python_and_yaml_checks_run_unchanged_and_reach_sarif(tmp_path: Path) -> None:
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "__init__.py").write_text("")
    (checks / "acme_owner.py").write_text(PYTHON_CHECK)
    (checks / "acme_family.yaml").write_text(YAML_CHECK)
    owned = GPU | {"instance_type": "g6.xlarge", "tags": {"owner": "ml"}}
    (tmp_path / "plan.json").write_bytes(
        full_plan(change("aws_instance.trainer", GPU), change("aws_instance.owned", owned))
    )
    argv = ["plan.json", "--checkov-check", "CKV_ACME_1,CKV2_ACME_2", "--checkov-external-checks-dir", "checks"]
    result = checkov(tmp_path, *argv, "-o", "sarif=r.sarif")
    found = result.found("CKV")
    assert set(found) == {("CKV_ACME_1", "aws_instance.trainer"), ("CKV2_ACME_2", "aws_instance.trainer")}
    assert (
        found[("CKV_ACME_1", "aws_instance.trainer")]["remediation"]
        == "See https://wiki.example.com/policies/owner-tag"
    )
    assert found[("CKV2_ACME_2", "aws_instance.trainer")]["severity"] == "medium"
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    rules = {rule["id"]: rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {"CKV_ACME_1", "CKV2_ACME_2", "CW101"} <= set(rules)
    assert rules["CKV_ACME_1"]["helpUri"] == "https://wiki.example.com/policies/owner-tag"
    assert "Checked by Checkov (CKV_ACME_1)" in rules["CKV_ACME_1"]["help"]["text"]


@pytest.mark.checkov
@needs_checkov
def test_checkov_findings_take_waivers_and_baselines_like_any_violation(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_bytes(full_plan(change("aws_instance.trainer", GPU)))
    (tmp_path / ".costwarden-waivers.yaml").write_text(
        "waivers:\n  - policy: CKV_AWS_8\n    resource: aws_instance.*\n    reason: encrypted by SCP\n"
        "    owner: security@example.com\n    expires: 2999-12-31\n"
    )
    result = checkov(tmp_path, "plan.json", "--checkov-check", "CKV_AWS_8,CKV_AWS_79")
    assert set(result.found("CKV")) == {("CKV_AWS_79", "aws_instance.trainer")}
    assert [v["policy_id"] for v in result.report["suppressed"]] == ["CKV_AWS_8"]


def test_asking_for_checkov_without_it_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_bytes(full_plan(change("aws_instance.trainer", GPU)))
    result = run(tmp_path, "scan", "plan.json", "--checkov", environ={"PATH": str(tmp_path)})
    assert result.code == 2 and result.err.count("\n") == 1
    assert "checkov is not installed; install it with: pip install 'costwarden[checkov]'" in result.err
    missing = run(tmp_path, "scan", "plan.json", "--checkov", "--checkov-bin", "nope/checkov")
    assert missing.code == 2 and "nope/checkov not found" in missing.err


def test_a_checkov_that_fails_is_an_error_and_costwardens_own_findings_still_report(tmp_path: Path) -> None:
    broken = tmp_path / "checkov"
    broken.write_text("#!/bin/sh\necho 'Traceback ... ImportError: cannot import name x' >&2\nexit 2\n")
    broken.chmod(broken.stat().st_mode | stat.S_IEXEC)
    (tmp_path / "plan.json").write_bytes(full_plan(change("aws_instance.trainer", GPU)))
    result = run(tmp_path, "scan", "plan.json", "--checkov", "--checkov-bin", str(broken), "-o", "json")
    assert result.code == 2
    assert (
        "checkov failed (exit 2): Traceback ... ImportError: cannot import name x"
        in result.report["errors"][0]["message"]
    )
    assert ("CW101", "aws_instance.trainer") in result.found("CW")
