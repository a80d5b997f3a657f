"""Generate a Kubernetes manifest stream and a Terraform (.tf) tree for the benchmark.

python bench/gen_inputs.py k8s 5000 bench/out/stream-5000.yaml
python bench/gen_inputs.py hcl 1000 bench/out/hcl-1000
python bench/gen_inputs.py monorepo 2000 bench/out/monorepo   # 2,000 manifests and 200 plans
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

MODELS = ["meta-llama/Llama-3.1-8B-Instruct", "mistralai/Mistral-7B-Instruct-v0.3", "Qwen/Qwen2.5-32B-Instruct"]
NODES = ["g5.xlarge", "g6.xlarge", "g6e.xlarge", "p4d.24xlarge", "p5.48xlarge"]


def k8s_stream(count: int, seed: int = 11) -> str:
    rng = random.Random(seed)
    documents = []
    for index in range(count):
        kind = rng.random()
        labels = f"finops/team: team{index % 40}\n    finops/environment: {rng.choice(['dev', 'prod'])}"
        if kind < 0.5:
            documents.append(f"""# Source: chart/templates/deployment-{index}.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: llm-{index}
  namespace: ns{index % 25}
  labels:
    {labels}
spec:
  replicas: {rng.randint(1, 4)}
  template:
    metadata:
      labels: {{app: llm-{index}}}
    spec:
      nodeSelector: {{node.kubernetes.io/instance-type: {rng.choice(NODES)}}}
      containers:
      - name: server
        image: vllm/vllm-openai:v0.6.3
        args: ["--model", "{rng.choice(MODELS)}"]
        resources:
          requests: {{cpu: "8", memory: 32Gi}}
          limits: {{nvidia.com/gpu: {rng.choice([1, 1, 2])}}}
""")
        elif kind < 0.75:
            documents.append(f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: hpa-{index}
  namespace: ns{(index - 1) % 25}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: llm-{index - 1}}}
  minReplicas: {rng.randint(0, 2)}
  maxReplicas: 8
""")
        elif kind < 0.9:
            documents.append(f"""apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata:
  name: train-{index}
  namespace: training
  labels:
    {labels}
spec:
  runPolicy: {{activeDeadlineSeconds: {rng.choice([3600, 36000, 86400])}}}
  pytorchReplicaSpecs:
    Worker:
      replicas: {rng.randint(1, 8)}
      template:
        spec:
          nodeSelector: {{karpenter.k8s.aws/instance-family: {rng.choice(["g5", "g6e", "p4d"])}}}
          containers:
          - name: train
            image: pytorch/pytorch
            command: ["torchrun", "train.py"]
            resources: {{limits: {{nvidia.com/gpu: {rng.choice([1, 4, 8])}}}}}
""")
        else:
            documents.append(f"""apiVersion: v1
kind: ConfigMap
metadata: {{name: cfg-{index}}}
data: {{key: value}}
""")
    return "---\n".join(documents)


def hcl_tree(root: Path, files: int, seed: int = 13) -> None:
    rng = random.Random(seed)
    per_module = 20
    for module_index in range(max(1, files // per_module)):
        folder = root / f"stack{module_index:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "providers.tf").write_text(
            'variable "region" {\n  default = "us-east-1"\n}\n\nprovider "aws" {\n  region = var.region\n'
            f'  default_tags {{\n    tags = {{\n      "finops:team" = "team{module_index}"\n    }}\n  }}\n}}\n'
        )
        for file_index in range(per_module - 1):
            blocks = []
            for block in range(5):
                name = f"r{file_index}_{block}"
                if rng.random() < 0.5:
                    blocks.append(
                        f'resource "aws_instance" "{name}" {{\n  count         = {rng.randint(1, 3)}\n'
                        f'  instance_type = "{rng.choice(["m5.large", "g5.xlarge", "p4d.24xlarge"])}"\n'
                        f'  tags = {{\n    "finops:service" = "svc{block}"\n  }}\n}}\n'
                    )
                else:
                    blocks.append(f'resource "aws_s3_bucket" "{name}" {{\n  bucket = "b-{module_index}-{name}"\n}}\n')
            (folder / f"file{file_index:02d}.tf").write_text("\n".join(blocks))


def monorepo(root: Path, manifests: int, seed: int = 17) -> None:
    """``manifests`` files of three Kubernetes documents each, in folders of fifty, and a plan
    of 50 resources for every ten manifests: the shape of a platform team's repository."""
    from gen_plan import generate

    documents = k8s_stream(manifests * 3, seed).split("---\n")
    for index in range(manifests):
        folder = root / f"apps{index // 50:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"app{index:04d}.yaml").write_text("---\n".join(documents[index * 3 : index * 3 + 3]))
    for index in range(manifests // 10):
        folder = root / f"infra{index:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "plan.json").write_text(json.dumps(generate(50, seed + index, violating=index % 2 == 0)))


def main(argv: list[str]) -> int:
    kind, count, out = argv[1], int(argv[2]), Path(argv[3])
    if kind == "monorepo":
        monorepo(out, count)
    elif kind == "k8s":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(k8s_stream(count))
    else:
        hcl_tree(out, count)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
