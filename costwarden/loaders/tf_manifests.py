"""Kubernetes manifests declared inside Terraform: ``kubectl_manifest.yaml_body``,
``kubernetes_manifest.manifest`` and the ``values`` of a ``helm_release`` that hold manifests.
Each is read by the Kubernetes loader, so a Karpenter GPU NodePool in a heredoc or a
``yamlencode()`` is seen, and its findings point at the Terraform block that declares it.
The same in plans and ``.tf`` files: both carry the evaluated text or object.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence

from costwarden.loaders import kubernetes
from costwarden.loaders.base import Loaded
from costwarden.model import Problem, Resource

CARRIERS = frozenset({"kubectl_manifest", "kubernetes_manifest", "helm_release"})


def _bodies(resource: Resource) -> Iterator[tuple[str, bytes]]:
    attributes = resource.attributes
    if resource.type == "kubectl_manifest":
        body = attributes.get("yaml_body")
        if isinstance(body, str):
            yield "yaml_body", body.encode()
    elif resource.type == "kubernetes_manifest":
        manifest = attributes.get("manifest")
        if isinstance(manifest, dict):
            yield "manifest", json.dumps(manifest).encode()
    elif resource.type == "helm_release":
        values = attributes.get("values")
        for index, text in enumerate(values if isinstance(values, list) else []):
            if isinstance(text, str) and kubernetes.sniff("values.yaml", text.encode()):
                yield f"values[{index}]", text.encode()


def embedded(resources: Sequence[Resource]) -> Loaded:
    """The Kubernetes resources the carriers among ``resources`` declare."""
    found = Loaded()
    for carrier in resources:
        if carrier.type not in CARRIERS:
            continue
        if carrier.type != "helm_release" and ({"yaml_body", "manifest"} & carrier.unknown):
            reason = f"the manifest of {carrier.address} is only known at apply time: not evaluated"
            found.warnings.append(Problem(reason, carrier.location.path, carrier.location.line, carrier.address))
            continue
        for attribute, data in _bodies(carrier):
            name = f"{carrier.location.path}:{carrier.location.line} {carrier.address}.{attribute}"
            loaded = kubernetes.load(name, data)
            found.resources.extend(_relocated(r, carrier) for r in loaded.resources)
            found.warnings.extend(_at(p, carrier) for p in loaded.warnings)
            found.errors.extend(_at(p, carrier) for p in loaded.errors)
            found.not_evaluated.extend(dataclasses.replace(n, location=carrier.location) for n in loaded.not_evaluated)
    return found


def _relocated(resource: Resource, carrier: Resource) -> Resource:
    return dataclasses.replace(
        resource,
        location=carrier.location,
        document=f"{carrier.document or carrier.location.path}#{carrier.address}",  # one per carrier
        action=carrier.action,
    )


def _at(problem: Problem, carrier: Resource) -> Problem:
    return dataclasses.replace(problem, path=carrier.location.path, line=carrier.location.line, address=carrier.address)
