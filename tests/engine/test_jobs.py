"""``--jobs``: a scan shared among processes reports exactly what one process reports."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from costwarden.engine import inputs
from tests.cli_run import run_cli

sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))

from gen_inputs import k8s_stream
from gen_plan import generate

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough to be worth a pool: manifests, plans, SageMaker, .tf, and files that fail."""
    root = tmp_path_factory.mktemp("monorepo")
    documents = k8s_stream(900, seed=3).split("---\n")
    for index in range(300):
        folder = root / f"apps{index // 40}"
        folder.mkdir(exist_ok=True)
        (folder / f"app{index:03d}.yaml").write_text("---\n".join(documents[index * 3 : index * 3 + 3]))
    for index in range(6):
        (root / f"plan{index}").mkdir()
        (root / f"plan{index}" / "plan.json").write_text(json.dumps(generate(30, seed=index, violating=index % 2 == 0)))
    shutil.copy(EXAMPLES / "sagemaker" / "finetune-spot.json", root / "apps0" / "finetune.json")
    shutil.copytree(EXAMPLES / "terraform" / "gpu-fleet", root / "fleet")
    (root / "apps1" / "broken.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: [unclosed\n")
    (root / "apps2" / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    (root / "apps3" / "empty.json").write_text("")
    return root


def test_the_tree_is_shared_out_among_processes(tree: Path):
    files = [(str(p), False) for p in sorted(tree.rglob("*.yaml"))]
    assert inputs._loaded_in_pool(inputs._Read(None, inputs.MAX_INPUT_BYTES, False), files, 2) is not None


@pytest.mark.parametrize("jobs", ["2", "3"])
def test_every_report_is_the_one_a_single_process_writes(tree: Path, jobs: str):
    serial = run_cli(tree, "scan", ".", "--jobs", "1", "-o", "json", "--no-color")
    shared = run_cli(tree, "scan", ".", "--jobs", jobs, "-o", "json", "--no-color")
    assert serial.report["errors"] and serial.report["violations"]
    assert (shared.code, shared.out, shared.err) == (serial.code, serial.out, serial.err)


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_jobs_must_be_a_count_of_processes(tree: Path, jobs: str):
    run = run_cli(tree, "scan", ".", "--jobs", jobs)
    assert run.code == 2
    assert "--jobs" in run.err
