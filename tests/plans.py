"""Hand-written Terraform plans, built in code so each test shows only what it is about."""

from __future__ import annotations

import json
from typing import Any

AWS = "registry.terraform.io/hashicorp/aws"


def change(
    address: str,
    after: dict[str, Any] | None,
    *,
    actions: tuple[str, ...] = ("create",),
    after_unknown: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None,
    provider: str = AWS,
    **extra: Any,
) -> dict[str, Any]:
    """A ``resource_changes`` entry; type, name, index and module are read off the address."""
    module, _, local = address.rpartition(".module.") if ".module." in address else ("", "", address)
    if address.startswith("module.") and not module:
        parts = address.split(".")
        module, local = ".".join(parts[:2]), ".".join(parts[2:])
    elif module:
        head, _, rest = local.partition(".")
        module, local = f"{module}.module.{head}", rest
    resource_type, _, name = local.partition(".")
    entry: dict[str, Any] = {"address": address, "mode": "managed", "type": resource_type}
    entry["name"] = name.split("[")[0]
    if module:
        entry["module_address"] = module
    entry["provider_name"] = provider
    entry["change"] = {
        "actions": list(actions),
        "before": before,
        "after": after,
        "after_unknown": after_unknown or {},
    }
    entry.update(extra)
    return entry


def plan(
    *changes: dict[str, Any],
    providers: dict[str, Any] | None = None,
    root_resources: list[dict[str, Any]] | None = None,
    module_calls: dict[str, Any] | None = None,
    variables: dict[str, Any] | None = None,
    format_version: str = "1.2",
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format_version": format_version,
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "resource_changes": list(changes),
        "configuration": {
            "provider_config": providers
            if providers is not None
            else {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}},
            "root_module": {"resources": root_resources or [], "module_calls": module_calls or {}},
        },
    }
    if variables:
        document["variables"] = {k: {"value": v} for k, v in variables.items()}
    return document


def aws_provider(region: str = "us-east-1", default_tags: Any = None, **extra: Any) -> dict[str, Any]:
    expressions: dict[str, Any] = {"region": {"constant_value": region}}
    if default_tags is not None:
        tags = default_tags if "references" in default_tags else {"constant_value": default_tags}
        expressions["default_tags"] = [{"tags": tags}]
    return {"name": "aws", "expressions": expressions, **extra}


def config_resource(address: str, provider_key: str = "aws", **expressions: Any) -> dict[str, Any]:
    resource_type, _, name = address.partition(".")
    return {
        "address": address,
        "mode": "managed",
        "type": resource_type,
        "name": name,
        "provider_config_key": provider_key,
        "expressions": expressions,
    }


def dumps(document: dict[str, Any], indent: int | None = 1) -> bytes:
    return json.dumps(document, indent=indent).encode()


FULL_TAGS = {
    "finops:team": "ml-platform",
    "finops:service": "llm-serving",
    "finops:environment": "prod",
    "finops:cost-center": "CC-4512",
}
