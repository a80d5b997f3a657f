"""Terraform plan JSON, as written by ``terraform show -json PLANFILE`` (format 0.1 to 1.x).

Reads ``resource_changes`` for what will change and how, ``after_unknown`` for what is only
known at apply, ``configuration`` for provider ``default_tags``, regions and references, and
keeps every address exactly as Terraform wrote it. Data sources are read, never deployed, and
are left out; deposed objects are on their way out and are left out too.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from typing import Any

from costwarden.errors import LoadError
from costwarden.loaders.base import Loaded
from costwarden.loaders.plan_config import PlanConfiguration, ProviderSettings, Unknown
from costwarden.loaders.plan_json import WRAPPER_HINT, PlanText, address_lines, read_json
from costwarden.loaders.plan_tags import TAG_ATTRIBUTES, effective_tags
from costwarden.loaders.terraform_compute import Planned, build
from costwarden.loaders.values import as_dict, as_list, as_str
from costwarden.model import Action, Compute, Location, Problem, Resource

NAME: str = "terraform-plan"
PATTERNS: tuple[str, ...] = ("*.json",)

_ACTIONS: dict[tuple[str, ...], Action] = {
    ("no-op",): "no-op",
    ("create",): "create",
    ("read",): "read",
    ("update",): "update",
    ("delete",): "delete",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    ("forget",): "forget",
    ("create", "forget"): "replace",
}
_PROVIDERS = {"azurerm": "azure", "azapi": "azure", "google-beta": "google"}
_AWS_ZONE = re.compile(r"^([a-z]{2}(?:-[a-z]+)+-\d+)[a-z]$")
_GCP_ZONE = re.compile(r"^([a-z]+-[a-z]+\d+)-[a-z]$")
_PLAN_KEYS = (
    b'"planned_values"',
    b'"resource_changes"',
    b'"terraform_version"',
    b'"configuration"',
)


def sniff(path: str, head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", errors="ignore").encode()
    return b'"format_version"' in head and any(key in head for key in _PLAN_KEYS)


def load(path: str, data: bytes) -> Loaded:
    try:
        text = read_json(path, data)
        document = _check_plan(path, text.document)
    except LoadError as exc:
        return Loaded(errors=[Problem(exc.message, path=exc.path, line=exc.line)])
    loaded = Loaded()
    if text.wrapped:
        loaded.warnings.append(Problem(WRAPPER_HINT, path=path, line=1))
    changes = document.get("resource_changes", [])
    if not isinstance(changes, list):
        loaded.errors.append(Problem("resource_changes is not a list", path=path))
        return loaded
    _Reader(path, text, document, loaded).read(changes)
    deferred = as_list(document.get("deferred_changes"))
    if deferred:
        reasons = sorted({as_str(as_dict(d).get("reason")) or "unknown" for d in deferred})
        why = ", ".join(reasons)
        message = f"{len(deferred)} resource changes deferred by Terraform ({why}): not checked"
        loaded.warnings.append(Problem(message, path=path, line=text.first_line))
    return loaded


def read_document(path: str, document: Mapping[str, Any]) -> Loaded:
    """A plan-shaped document built in memory (the HCL loader's); locations are set by the caller."""
    loaded = Loaded()
    _Reader(path, PlanText(document, b""), document, loaded).read(list(document.get("resource_changes", [])))
    return loaded


def _check_plan(path: str, document: Any) -> Mapping[str, Any]:
    if not isinstance(document, dict):
        raise LoadError("not a Terraform plan: the JSON is not an object", path=path)
    version = document.get("format_version")
    if "values" in document and "planned_values" not in document:
        raise LoadError("this is Terraform state, not a plan: run 'terraform show -json PLANFILE'", path=path)
    if not isinstance(version, str) or not any(
        key in document for key in ("planned_values", "resource_changes", "configuration")
    ):
        raise LoadError(
            "not a Terraform plan: expected 'terraform show -json PLANFILE' output "
            "with format_version and resource_changes",
            path=path,
        )
    major = version.split(".")[0]
    if major not in ("0", "1"):
        raise LoadError(f"unsupported plan format_version {version!r} (0.x and 1.x are read)", path=path)
    return document


class _Reader:
    def __init__(self, path: str, text: PlanText, document: Mapping[str, Any], loaded: Loaded):
        self.path = path
        self.loaded = loaded
        self.first_line = text.first_line
        self.lines = address_lines(text)
        self.configuration = PlanConfiguration(document)
        self.prior = _values_by_address(as_dict(as_dict(document.get("prior_state")).get("values")))
        self.planned = _values_by_address(as_dict(document.get("planned_values")))

    def read(self, changes: list[Any]) -> None:
        for index, change in enumerate(changes):
            resource = self._resource(index, change)
            if resource is not None:
                self.loaded.resources.append(resource)

    def _problem(self, index: int, message: str, address: str | None = None) -> Problem:
        line = self.lines.get(address, self.first_line) if address else self.first_line
        return Problem(f"resource_changes[{index}]: {message}", path=self.path, line=line)

    def _resource(self, index: int, entry: Any) -> Resource | None:
        entry = as_dict(entry)
        address, resource_type = as_str(entry.get("address")), as_str(entry.get("type"))
        change = as_dict(entry.get("change"))
        actions = tuple(a for a in as_list(change.get("actions")) if isinstance(a, str))
        if not address or not resource_type or not change:
            self.loaded.errors.append(self._problem(index, "malformed: needs address, type and change"))
            return None
        if entry.get("mode") == "data" or address.startswith("data.") or ".data." in address:
            return None
        if entry.get("deposed"):
            return None
        action = _ACTIONS.get(actions)
        if action is None:
            message = f"unknown actions {list(actions)}: skipped"
            self.loaded.warnings.append(self._problem(index, message, address))
            return None

        name = as_str(entry.get("name")) or ""
        module_address = as_str(entry.get("module_address"))
        config = self.configuration.resource(module_address, f"{resource_type}.{name}")
        provider_name = as_str(entry.get("provider_name")) or resource_type.split("_")[0]
        provider_key = self.configuration.provider_key(config, provider_name)
        settings = self.configuration.provider(provider_key)

        gone = action in ("delete", "forget")
        values = as_dict(change.get("before") if gone else change.get("after"))
        if not values and not gone:
            values = self.planned.get(address, values)
        prior = self.prior.get(address) or as_dict(change.get("before"))
        after_unknown = {} if gone else change.get("after_unknown", {})
        expressions = as_dict(config.get("expressions"))

        def planned(attributes: Mapping[str, Any], unknown: Any) -> Planned:
            return Planned(
                type=resource_type,
                after=attributes,
                after_unknown=unknown,
                region=_region(attributes, settings),
                expressions=expressions,
                module_address=module_address,
                configuration=self.configuration,
            )

        built = build(planned(values, after_unknown))
        before = as_dict(change.get("before"))
        compute_before: tuple[Compute, ...] = ()
        if action != "create" and before and built.compute is not None:
            was = built if before == values else build(planned(before, {}))
            compute_before = (was.compute, *was.extra_compute) if was.compute else ()
        tags = effective_tags(resource_type, values, after_unknown, settings)
        # "tags" is unknown only when the key set may change: a known key with an unknown value is known
        unknown = frozenset(
            key for key, value in as_dict(after_unknown).items() if _has_true(value) and key not in TAG_ATTRIBUTES
        )
        if not tags.complete:
            unknown |= {"tags"}
        return Resource(
            address=address,
            type=resource_type,
            provider=_provider(provider_name),
            action=action,
            location=Location(self.path, self.lines.get(address, self.first_line)),
            category=built.category,
            attributes=values,
            tags=tags.values,
            provider_tags=_provider_tags(resource_type, settings),
            taggable=tags.taggable,
            unknown=unknown,
            compute=built.compute,
            extra_compute=built.extra_compute,
            compute_before=compute_before,
            scaling=built.scaling,
            cloud_id=as_str(prior.get("id")),
            links=built.links,
            source_format=NAME,
        )


def _provider_tags(resource_type: str, settings: ProviderSettings) -> dict[str, str | None]:
    defaults = settings.default_tags
    if not resource_type.startswith("aws_") or isinstance(defaults, Unknown):
        return {}
    return {str(k): None if isinstance(v, Unknown) or v is None else str(v) for k, v in defaults.items()}


def _values_by_address(values: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Address -> attribute values, from a values representation and its child modules."""
    found: dict[str, Mapping[str, Any]] = {}
    modules = [as_dict(values.get("root_module"))]
    while modules:
        module = modules.pop()
        for resource in as_list(module.get("resources")):
            resource = as_dict(resource)
            address = as_str(resource.get("address"))
            if address:
                found[address] = as_dict(resource.get("values"))
        modules.extend(as_dict(child) for child in as_list(module.get("child_modules")))
    return found


def _provider(provider_name: str) -> str:
    short = provider_name.rsplit("/", 1)[-1].split(".")[0]
    return _PROVIDERS.get(short, short)


def _region(values: Mapping[str, Any], settings: ProviderSettings) -> str | None:
    """Where the resource runs: its own zone or location, else its provider's region."""
    for key in ("availability_zone", "zone", "location"):
        value = values.get(key)
        if not isinstance(value, str) or not value:
            continue
        if match := _AWS_ZONE.match(value):
            return match.group(1)
        if match := _GCP_ZONE.match(value):
            return match.group(1)
        return value.replace(" ", "").lower()
    if isinstance(settings.region, str):
        return settings.region
    if isinstance(settings.zone, str) and (match := _GCP_ZONE.match(settings.zone)):
        return match.group(1)
    return None


def _has_true(value: Any) -> bool:
    """Whether an ``after_unknown`` subtree marks anything unknown (a hot loop: no generators)."""
    if value is True:
        return True
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            if item is True or (isinstance(item, dict | list) and item and _has_true(item)):
                return True
    return False
