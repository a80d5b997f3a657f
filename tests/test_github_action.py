"""The composite action's steps, run as the runner would run them: each step's script with
its ``env`` (``${{ inputs.* }}`` filled from the inputs) in a simulated GitHub environment."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def step(step_id):
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)


def expand(value, inputs, github):
    def one(match):
        scope, _, name = match.group(1).strip().partition(".")
        return str({"inputs": inputs, "github": github}[scope][name])

    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", one, str(value))


def run_step(step_id, inputs, workspace, temp, extra_env=None):
    defaults = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    inputs = {**defaults, **inputs}
    github = {"action_path": str(ROOT)}
    env = {key: expand(value, inputs, github) for key, value in step(step_id).get("env", {}).items()}
    files = {name: temp / name for name in ("summary.md", "output.txt", "env.txt")}
    for path in files.values():
        path.touch()
    environment = {
        **os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace), "RUNNER_TEMP": str(temp),
        "GITHUB_STEP_SUMMARY": str(files["summary.md"]), "GITHUB_OUTPUT": str(files["output.txt"]),
        "GITHUB_ENV": str(files["env.txt"]), **env, **(extra_env or {}),
    }  # fmt: skip
    done = subprocess.run(["bash", "-e", "-c", step(step_id)["run"]], cwd=workspace, env=environment,
                          capture_output=True, text=True, check=False)  # fmt: skip
    return done, files


def outputs_of(path):
    """GITHUB_OUTPUT as the runner reads it, multi-line values included."""
    values, lines = {}, path.read_text().splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and "=" not in line.split("<<")[0]:
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            values[name] = "\n".join(lines[index + 1 : end])
            index = end + 1
        else:
            name, _, value = line.partition("=")
            values[name] = value
            index += 1
    return values


def test_scan_step_writes_every_surface(tmp_path):
    workspace = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", workspace / "examples")
    temp = tmp_path / "runner"
    temp.mkdir()
    done, files = run_step(
        "scan", {"paths": "examples/terraform/gpu-fleet/plan.json examples/kubernetes"}, workspace, temp
    )
    assert done.returncode == 1, done.stderr  # high-severity violations: the check fails
    assert done.stdout.startswith("::error file=examples/terraform/gpu-fleet/main.tf,line=19,")
    assert files["summary.md"].read_text().startswith("## costwarden: ")
    outputs = outputs_of(files["output.txt"])
    assert int(outputs["violations"]) >= 5
    assert float(outputs["monthly-cost-at-stake"]) > 0 and float(outputs["monthly-savings"]) > 0
    assert outputs["markdown"].startswith("## costwarden: ") and "\n" in outputs["markdown"]
    sarif = json.loads(Path(outputs["sarif-file"]).read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert "examples/terraform/gpu-fleet/main.tf" in uris  # relative to the workspace
    assert outputs["exit-code"] == "1"


def test_fail_on_never_passes_and_outputs_choose_surfaces(tmp_path):
    workspace = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", workspace / "examples")
    temp = tmp_path / "runner"
    temp.mkdir()
    done, files = run_step(
        "scan", {"paths": "examples/terraform", "fail-on": "never", "outputs": "json"}, workspace, temp
    )
    assert done.returncode == 0, done.stderr
    assert "::error" not in done.stdout
    assert files["summary.md"].read_text() == ""
    assert outputs_of(files["output.txt"])["sarif-file"] == ""


def test_plan_step_feeds_terraform_show_to_the_scan(tmp_path):
    workspace = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "terraform" / "gpu-fleet", workspace / "infra")
    temp = tmp_path / "runner"
    temp.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # terraform cannot be installed here: a stand-in prints the plan `terraform show -json` would
    (bin_dir / "terraform").write_text(f"#!/bin/sh\ncat {workspace / 'infra' / 'plan.json'}\n")
    (bin_dir / "terraform").chmod(0o755)
    path = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), os.environ["PATH"]])
    done, files = run_step("plan", {"terraform-directory": "infra"}, workspace, temp, {"PATH": path})
    assert done.returncode == 0, done.stderr
    plan_file = files["env.txt"].read_text().strip().split("=", 1)[1]
    done, files = run_step("scan", {"paths": ""}, workspace, temp, {"COSTWARDEN_PLAN_FILE": plan_file, "PATH": path})
    assert "aws\\_instance.trainer" in files["summary.md"].read_text(), done.stdout + done.stderr


def test_action_metadata_is_complete():
    assert ACTION["runs"]["using"] == "composite"
    assert {"violations", "monthly-cost-at-stake", "monthly-savings", "sarif-file"} <= set(ACTION["outputs"])
    assert {"paths", "config", "policy", "fail-on", "outputs", "terraform-directory"} <= set(ACTION["inputs"])
    workflow = yaml.safe_load((ROOT / "examples" / "github-workflow.yml").read_text())
    steps = workflow["jobs"]["cost-check"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("github/codeql-action/upload-sarif") for u in uses)
    assert any(u.startswith("aws-actions/configure-aws-credentials") for u in uses)  # OIDC, no stored keys
    assert workflow["permissions"] == {
        "contents": "read",
        "id-token": "write",
        "pull-requests": "write",
        "security-events": "write",
        "actions": "read",
    }
    assert next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))["with"]["cache"] == "pip"
    assert all(
        s["if"].startswith("always()")
        for s in steps
        if "upload-sarif" in s.get("uses", "") or "comment" in s.get("name", "")
    )
    assert {"waivers", "baseline", "fail-on-unevaluated", "terraform-directory"} <= set(ACTION["inputs"])


def test_fail_on_unevaluated_reaches_the_scan(tmp_path):
    from costwarden.integrations.github import action_arguments

    assert "--fail-on-unevaluated" in action_arguments({"INPUT_FAIL_ON_UNEVALUATED": "true"}, tmp_path)
    assert "--fail-on-unevaluated" not in action_arguments({"INPUT_FAIL_ON_UNEVALUATED": "false"}, tmp_path)


def test_terraform_directory_points_every_annotation_at_a_tf_line_and_counts_once(tmp_path):
    workspace = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "terraform" / "gpu-fleet", workspace / "infra")
    (workspace / "infra" / "plan.json").rename(tmp_path / "plan.json")  # only the .tf is in the repository
    temp = tmp_path / "runner"
    temp.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "terraform").write_text(f"#!/bin/sh\ncat {tmp_path / 'plan.json'}\n")  # as `terraform show -json`
    (bin_dir / "terraform").chmod(0o755)
    path = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), os.environ["PATH"]])
    inputs = {"terraform-directory": "infra", "fail-on": "never"}
    done, files = run_step("plan", inputs, workspace, temp, {"PATH": path})
    assert done.returncode == 0, done.stderr
    plan_file = files["env.txt"].read_text().strip().split("=", 1)[1]
    assert plan_file.startswith(str(temp))
    done, files = run_step("scan", {**inputs, "paths": "."}, workspace, temp, {"COSTWARDEN_PLAN_FILE": plan_file})
    assert done.returncode == 0, done.stderr
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::")]
    assert annotations and all(re.match(r"::\w+ file=infra/[\w/]+\.tf,line=\d+,", a) for a in annotations), annotations
    report = json.loads(Path(outputs_of(files["output.txt"])["sarif-file"]).with_suffix(".json").read_text())
    addresses = [r["address"] for r in report["resources"]]
    assert len(addresses) == len(set(addresses)) == 6  # the plan's six, not the .tf's four again
    assert len(report["violations"]) == 4
