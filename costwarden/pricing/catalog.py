"""The shipped price and hardware catalogs: data files in ``catalogs/``, read once."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from costwarden.errors import CatalogError
from costwarden.model import CatalogInfo

CATALOG_FILES = ("aws-ec2-on-demand.json", "aws-gpu-instances.json", "aws-spot-discounts.json")
SUPPORTED_SCHEMA = 1


@dataclass(frozen=True)
class HourlyPrice:
    usd: float
    source: str
    as_of: str


@dataclass(frozen=True)
class GpuSpec:
    model: str
    count: float
    memory_gib: float | None


class Catalog:
    """Lookups over the catalogs of one version. Missing entries are ``None``, never zero."""

    def __init__(self, documents: Mapping[str, Mapping[str, Any]]):
        self._documents = documents
        first = next(iter(documents.values()))
        self.info = CatalogInfo(version=str(first["version"]), date=str(first["date"]))
        ec2 = documents["aws-ec2-on-demand.json"]
        self._ec2: Mapping[str, Mapping[str, list[Any]]] = ec2["prices"]
        self._ec2_sources: Mapping[str, Mapping[str, str]] = ec2["sources"]
        self._gpus: Mapping[str, Mapping[str, Any]] = documents["aws-gpu-instances.json"][
            "instance_types"
        ]
        self._spot: Mapping[str, Mapping[str, float]] = documents["aws-spot-discounts.json"][
            "discount_pct"
        ]

    @property
    def version(self) -> str:
        return self.info.version

    def ec2_on_demand(self, region: str, instance_type: str) -> HourlyPrice | None:
        row = self._ec2.get(region, {}).get(instance_type)
        if row is None:
            return None
        usd, source = row
        return HourlyPrice(float(usd), source, self._ec2_sources[source]["as_of"])

    def ec2_regions(self, instance_type: str) -> list[str]:
        return sorted(region for region, types in self._ec2.items() if instance_type in types)

    def aws_gpu(self, instance_type: str) -> GpuSpec | None:
        spec = self._gpus.get(instance_type)
        if spec is None:
            return None
        return GpuSpec(spec["gpu_model"], float(spec["gpu_count"]), spec["gpu_memory_gib"])

    def aws_spot_discount_pct(self, instance_type: str, region: str) -> float | None:
        """Typical spot savings for the instance family, in this region or across regions."""
        family = instance_type.split(".")[0]
        regions = self._spot.get(family)
        if regions is None:
            return None
        return regions.get(region, regions.get("*"))


def _check(name: str, document: Any) -> Mapping[str, Any]:
    if not isinstance(document, dict):
        raise CatalogError("not a catalog object", path=name)
    for key in ("schema_version", "name", "version", "date", "currency"):
        if key not in document:
            raise CatalogError(f"missing {key!r}", path=name)
    if document["schema_version"] != SUPPORTED_SCHEMA:
        raise CatalogError(f"unsupported schema_version {document['schema_version']!r}", path=name)
    return document


def load_catalog(directory: Path | None = None) -> Catalog:
    """The catalogs in ``directory``; the shipped snapshot when ``None``."""
    documents: dict[str, Mapping[str, Any]] = {}
    for name in CATALOG_FILES:
        try:
            if directory is None:
                text = (
                    resources.files("costwarden.pricing")
                    .joinpath("catalogs", name)
                    .read_text("utf-8")
                )
            else:
                text = (directory / name).read_text("utf-8")
            documents[name] = _check(name, json.loads(text))
        except (OSError, json.JSONDecodeError) as exc:
            raise CatalogError(f"cannot read catalog: {exc}", path=name) from None
    try:
        return Catalog(documents)
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"malformed catalog: {exc}") from None


@cache
def shipped_catalog() -> Catalog:
    return load_catalog()
