"""Scan a few documents with one policy and return what it said."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from costwarden import Config, Document, ScanResult, scan
from costwarden.policies.base import Policy
from tests.scanning import with_policies


def run(policy: Policy, *documents: tuple[str, Any], config: Config | None = None) -> ScanResult:
    docs = [
        Document(name, (textwrap.dedent(body) if isinstance(body, str) else json.dumps(body)).encode())
        for name, body in documents
    ]
    result = scan(docs, with_policies(policy, config=config))
    assert not result.errors, result.errors
    return result


def deployment(selector: str, model: str, replicas: int = 1, labels: str = "{}", gpus: int = 1) -> str:
    return f"""
    apiVersion: apps/v1
    kind: Deployment
    metadata: {{name: llm, namespace: serving, labels: {labels}}}
    spec:
      replicas: {replicas}
      template:
        spec:
          nodeSelector: {{{selector}}}
          containers:
          - name: vllm
            image: vllm/vllm-openai:v0.6.0
            args: ["--model", "{model}"]
            resources: {{limits: {{nvidia.com/gpu: {gpus}}}}}
    """


def hpa(minimum: int, target: str = "llm") -> str:
    return f"""
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {{name: {target}-hpa, namespace: serving}}
    spec:
      scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {target}}}
      minReplicas: {minimum}
      maxReplicas: 8
    """
