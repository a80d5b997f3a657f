"""The hooks end to end: a real git repository, a real ``pre-commit run`` installing this
checkout as the hook repository (at its HEAD commit)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.requires import unavailable

ROOT = Path(__file__).parents[1]
TAGGED = """
provider "aws" {
  region = "us-east-1"
}

resource "aws_instance" "ok" {
  instance_type = "t3.micro"
  tags = {
    "finops:team"        = "ml"
    "finops:service"     = "web"
    "finops:environment" = "dev"
    "finops:cost-center" = "CC-1000"
  }
}
"""
UNTAGGED = 'resource "aws_instance" "gpu" {\n  instance_type = "p4d.24xlarge"\n}\n'


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def head():
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        unavailable("this checkout has no commit to install the hooks from")
    return done.stdout.strip()


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    """One hook cache for the module: pre-commit installs this checkout once."""
    cache = tmp_path_factory.mktemp("pre-commit-cache")
    return {**os.environ, "PRE_COMMIT_HOME": str(cache), "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}  # fmt: skip


PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")


def hooked_repository(repo, head, hooks=("costwarden-terraform",)):
    repo.mkdir()
    git("init", "-q", cwd=repo)
    listed = "".join(f"  - id: {hook}\n" for hook in hooks)
    (repo / ".pre-commit-config.yaml").write_text(f"repos:\n- repo: {ROOT}\n  rev: {head}\n  hooks:\n{listed}")
    return repo


def run(command, repo, environment):
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, env=environment, check=False)


def test_pre_commit_fails_on_a_bad_file_and_passes_on_a_good_one(tmp_path, head, environment):
    repo = hooked_repository(tmp_path / "infra", head)
    (repo / "main.tf").write_text(TAGGED)
    git("add", ".", cwd=repo)
    passed = run([PRE_COMMIT, "run", "--all-files"], repo, environment)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "costwarden (Terraform)" in passed.stdout and "Passed" in passed.stdout
    (repo / "gpu.tf").write_text(UNTAGGED)
    git("add", ".", cwd=repo)
    failed = run([PRE_COMMIT, "run", "--all-files"], repo, environment)
    assert failed.returncode == 1
    assert "Failed" in failed.stdout
    assert "CW101" in failed.stdout and "aws_instance.gpu" in failed.stdout and "$16,029.08" in failed.stdout


def test_a_change_inside_a_module_is_checked_through_its_caller(tmp_path, head, environment):
    """Only ``modules/batch/main.tf`` changes: the hook evaluates the root that calls it, so the
    caller's provider ``default_tags`` apply, and the root's own findings are not this commit's."""
    repo = hooked_repository(tmp_path / "fleet", head)
    shutil.copytree(ROOT / "examples" / "terraform" / "gpu-fleet", repo, dirs_exist_ok=True)
    (repo / "plan.json").unlink()
    git("add", ".", cwd=repo)
    git("commit", "-q", "--no-verify", "-m", "fleet", cwd=repo)
    installed = run([PRE_COMMIT, "install"], repo, environment)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    module = repo / "modules" / "batch" / "main.tf"

    module.write_text(module.read_text().replace("desired_size = 2", "desired_size = 3"))
    git("add", ".", cwd=repo)
    committed = run(["git", "commit", "-m", "three nodes"], repo, environment)
    assert committed.returncode == 0, committed.stdout + committed.stderr
    assert "costwarden (Terraform)" in committed.stderr and "Passed" in committed.stderr

    module.write_text(module.read_text().replace('"finops:service"     = "batch-embeddings"\n', ""))
    git("add", ".", cwd=repo)
    wide = {**environment, "COLUMNS": "200"}  # one table row per line, addresses unbroken
    refused = run(["git", "commit", "-m", "no service tag"], repo, wide)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    said = refused.stdout + refused.stderr  # git commit shows a hook's output on stderr
    assert 'module.batch.aws_eks_node_group.gpu["a"]' in said
    assert "finops:service" in said
    assert "modules/batch/main.tf:2" in said
    assert "aws_instance.trainer" not in said  # the root's finding is not in this change


def test_hooks_choose_files_by_content_and_skip_what_they_do_not_read(tmp_path, head, environment):
    """A seat map called ``airplane-seats.json`` and a docker-compose file are not inputs: skipped,
    never a failure. A SageMaker job with no telling name is read by the SageMaker hook."""
    hooks = ("costwarden-terraform", "costwarden-kubernetes", "costwarden-sagemaker")
    repo = hooked_repository(tmp_path / "mixed", head, hooks)
    (repo / "main.tf").write_text(TAGGED)
    (repo / "web").mkdir()
    (repo / "web" / "airplane-seats.json").write_text('{"rows": [{"seat": "1A", "plan": "economy"}]}')
    (repo / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx\n")
    git("add", ".", cwd=repo)
    passed = run([PRE_COMMIT, "run", "--all-files"], repo, environment)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.count("Passed") == 3, passed.stdout
    shutil.copy(ROOT / "examples" / "sagemaker" / "finetune-spot.json", repo / "finetune-spot.json")
    git("add", ".", cwd=repo)
    failed = run([PRE_COMMIT, "run", "--all-files"], repo, environment)
    assert failed.returncode == 1
    assert "costwarden (SageMaker)" in failed.stdout and "CW302" in failed.stdout, failed.stdout
