"""Baselines: the violations a codebase has today, so a gate fails only on new ones.

An entry is the policy, the resource address, and a fingerprint of what the policy judged
(the resource type and the compute: instance type, count, market, region, workload). The
same violation on a bigger instance is a new violation, not the baselined one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costwarden.errors import ConfigError
from costwarden.model import Resource, Violation

FORMAT = "costwarden-baseline"
VERSION = 1


def fingerprint(violation: Violation, resource: Resource | None) -> str:
    compute = resource.compute if resource else None
    relevant: dict[str, Any] = {"policy": violation.policy_id, "type": violation.resource_type}
    if compute is not None:
        relevant["compute"] = [compute.instance_type, compute.count, compute.market, compute.region, compute.workload]
    text = json.dumps(relevant, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Entry:
    policy_id: str
    address: str
    fingerprint: str

    @property
    def label(self) -> str:
        return f"{self.policy_id} {self.address}"


@dataclass(frozen=True, slots=True)
class Baseline:
    entries: frozenset[Entry]
    path: str


def entries(violations: Iterable[Violation], resources: Mapping[str, Resource]) -> list[Entry]:
    return sorted(
        {Entry(v.policy_id, v.address, fingerprint(v, resources.get(v.resource_key))) for v in violations},
        key=lambda e: (e.policy_id, e.address),
    )


def write_baseline(path: Path, found: list[Entry]) -> None:
    document = {
        "format": FORMAT,
        "version": VERSION,
        "violations": [{"policy_id": e.policy_id, "address": e.address, "fingerprint": e.fingerprint} for e in found],
    }
    try:
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write the baseline: {exc.strerror}", path=path) from None


def load_baseline(path: Path) -> Baseline:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the baseline: {exc.strerror}", path=path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = exc.lineno if isinstance(exc, json.JSONDecodeError) else None
        raise ConfigError("the baseline is not JSON", path=path, line=line) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("version") != VERSION:
        raise ConfigError(f"not a {FORMAT} file of version {VERSION}", path=path)
    items = document.get("violations") or []
    if not isinstance(items, list):
        raise ConfigError("baseline violations must be a list", path=path)
    found = set()
    for item in items:
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("policy_id", "address")):
            raise ConfigError("each baseline violation needs policy_id and address", path=path)
        found.add(Entry(item["policy_id"], item["address"], str(item.get("fingerprint", ""))))
    return Baseline(frozenset(found), str(path))
