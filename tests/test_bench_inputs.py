"""The benchmark's generators make inputs costwarden reads in full (small sizes here)."""

import json
import sys
from pathlib import Path

from costwarden import Document, scan

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))

from gen_inputs import hcl_tree, k8s_stream
from gen_plan import generate


def test_generated_plan():
    result = scan(Document("plan.json", json.dumps(generate(300)).encode()))
    assert (len(result.resources), result.errors) == (300, ())
    assert result.costs and result.violations


def test_generated_kubernetes_stream():
    result = scan(Document("stream.yaml", k8s_stream(200).encode()))
    assert result.errors == ()
    kinds = {r.type for r in result.resources}
    assert {"Deployment", "HorizontalPodAutoscaler", "PyTorchJob"} <= kinds
    assert any(r.links.get("autoscaler") for r in result.resources)


def test_generated_terraform_tree(tmp_path):
    hcl_tree(tmp_path, 40)
    result = scan([str(tmp_path)])
    assert result.errors == ()
    assert len(list(tmp_path.rglob("*.tf"))) == 40
    assert any(r.type == "aws_instance" for r in result.resources)
