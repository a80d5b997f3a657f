"""The ``configuration`` section of a plan: what the ``.tf`` files said, before evaluation.

Used for what ``resource_changes`` cannot tell: a provider's ``default_tags`` and region
(aliases and providers passed into modules included) and the references between resources
(an Auto Scaling group's launch template) whose ids are unknown until apply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from costwarden.loaders.values import as_dict, as_list, as_str

_MODULE_STEP = re.compile(r'module\.([^.\[]+)(?:\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\])?')


class Unknown:
    """A configuration value that is only known at apply time."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


def module_path(module_address: str | None) -> tuple[str, ...]:
    """``module.a["x"].module.b[0]`` -> ``("a", "b")``: instance keys do not change config."""
    if not module_address:
        return ()
    return tuple(match.group(1) for match in _MODULE_STEP.finditer(module_address))


@dataclass(frozen=True)
class ProviderSettings:
    region: str | Unknown | None = None
    zone: str | Unknown | None = None
    default_tags: Mapping[str, Any] | Unknown = field(default_factory=dict)
    default_labels: Mapping[str, Any] | Unknown = field(default_factory=dict)


class PlanConfiguration:
    def __init__(self, plan: Mapping[str, Any]):
        configuration = as_dict(plan.get("configuration"))
        self._providers = as_dict(configuration.get("provider_config"))
        self._variables = {name: as_dict(entry).get("value") for name, entry in as_dict(plan.get("variables")).items()}
        self._resources: dict[tuple[tuple[str, ...], str], Mapping[str, Any]] = {}
        self._index(as_dict(configuration.get("root_module")), ())
        self._settings: dict[str, ProviderSettings] = {}

    def _index(self, module: Mapping[str, Any], path: tuple[str, ...]) -> None:
        for resource in as_list(module.get("resources")):
            address = as_str(as_dict(resource).get("address"))
            if address:
                self._resources[(path, address)] = as_dict(resource)
        for name, call in as_dict(module.get("module_calls")).items():
            self._index(as_dict(as_dict(call).get("module")), (*path, name))

    def resource(self, module_address: str | None, local_address: str) -> Mapping[str, Any]:
        return self._resources.get((module_path(module_address), local_address), {})

    def provider_key(self, config_resource: Mapping[str, Any], provider_name: str) -> str:
        key = as_str(config_resource.get("provider_config_key"))
        if key:
            return key
        return provider_name.rsplit("/", 1)[-1]

    def provider(self, key: str) -> ProviderSettings:
        if key not in self._settings:
            self._settings[key] = self._read_provider(key)
        return self._settings[key]

    def _read_provider(self, key: str) -> ProviderSettings:
        entry = as_dict(self._providers.get(key))
        if not entry and ":" in key:
            # Older plans key module providers as "module.x:aws"; fall back to the root's.
            entry = as_dict(self._providers.get(key.rsplit(":", 1)[1]))
        in_root = not as_str(entry.get("module_address"))
        expressions = as_dict(entry.get("expressions"))
        region = self.evaluate(expressions.get("region"), in_root)
        default_tags: Mapping[str, Any] | Unknown = {}
        for block in as_list(expressions.get("default_tags")):
            value = self.evaluate(as_dict(block).get("tags"), in_root)
            default_tags = value if isinstance(value, Mapping | Unknown) else {}
        labels = self.evaluate(expressions.get("default_labels"), in_root)
        zone = self.evaluate(expressions.get("zone"), in_root)
        return ProviderSettings(
            region=region if isinstance(region, str | Unknown) else None,
            zone=zone if isinstance(zone, str | Unknown) else None,
            default_tags=default_tags,
            default_labels=labels if isinstance(labels, Mapping | Unknown) else {},
        )

    def evaluate(self, expression: Any, in_root: bool = True) -> Any:
        """A constant, a root variable's value, ``None`` when absent, else ``UNKNOWN``."""
        expression = as_dict(expression)
        if not expression:
            return None
        if "constant_value" in expression:
            return expression["constant_value"]
        references = [ref for ref in as_list(expression.get("references")) if isinstance(ref, str)]
        if in_root and len(references) == 1 and references[0].startswith("var."):
            name = references[0].removeprefix("var.")
            if name in self._variables:
                return self._variables[name]
        return UNKNOWN

    def referenced(self, expression: Any, resource_type: str, module_address: str | None) -> str | None:
        """The address of the ``resource_type`` resource an expression refers to, if any."""
        for ref in as_list(as_dict(expression).get("references")):
            if isinstance(ref, str) and ref.startswith(resource_type + "."):
                name = ref.split(".")[1].split("[")[0]
                local = f"{resource_type}.{name}"
                return f"{module_address}.{local}" if module_address else local
        return None
