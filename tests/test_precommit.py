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


def test_pre_commit_fails_on_a_bad_file_and_passes_on_a_good_one(tmp_path, head):
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    repo = tmp_path / "infra"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {ROOT}\n  rev: {head}\n  hooks:\n  - id: costwarden-terraform\n"
    )
    (repo / "main.tf").write_text(TAGGED)
    git("add", ".", cwd=repo)
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
                   "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}  # fmt: skip
    passed = subprocess.run(
        [pre_commit, "run", "--all-files"], cwd=repo, capture_output=True, text=True, env=environment, check=False
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "costwarden (Terraform)" in passed.stdout and "Passed" in passed.stdout
    (repo / "gpu.tf").write_text(UNTAGGED)
    git("add", ".", cwd=repo)
    failed = subprocess.run(
        [pre_commit, "run", "--all-files"], cwd=repo, capture_output=True, text=True, env=environment, check=False
    )
    assert failed.returncode == 1
    assert "Failed" in failed.stdout
    assert "CW101" in failed.stdout and "aws_instance.gpu" in failed.stdout and "$16,029.08" in failed.stdout
