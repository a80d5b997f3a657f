"""Effective tags of a planned resource, as the cloud will see them after apply.

Which types take tags, and in which attribute, is data from the providers' schemas
(``costwarden/data/taggable_resource_types.tsv``), the same for plans and ``.tf`` files; a type
it does not list is taggable when it declares ``tags`` or ``labels``.

In order: AWS ``tags_all`` when known; else the resource's ``tags`` merged over the provider's
``default_tags``; Auto Scaling group ``tag {}`` blocks (``default_tags`` do not reach them);
Google ``terraform_labels`` when known, else ``labels`` (``resource_labels`` for a GKE cluster)
over ``default_labels``, or the nested attribute the schema names (a node pool's
``node_config.resource_labels``); Azure and every other provider's ``tags``. A key whose value
is unknown maps to ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from costwarden.loaders.plan_config import ProviderSettings, Unknown
from costwarden.loaders.values import as_dict, as_list, as_str, is_unknown

TagMap = dict[str, str | None]


TAG_ATTRIBUTES = frozenset({"tags", "tags_all", "tag", "labels", "terraform_labels", "effective_labels"})
"""Attributes that hold a resource's tags or labels; whether their keys are known is ``Tags.complete``."""


@dataclass(frozen=True)
class Tags:
    values: TagMap
    complete: bool
    """False when more keys may appear at apply time."""
    taggable: bool


NOT_TAGGABLE = Tags({}, complete=True, taggable=False)


@cache
def taggable_types() -> Mapping[str, str]:
    """Resource type -> the attribute holding its tags (``tags``, ``labels``, ``node_config.resource_labels``)."""
    text = resources.files("costwarden").joinpath("data/taggable_resource_types.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {row[1]: row[2] for row in rows if len(row) == 3 and row[0] != "provider"}


def effective_tags(
    resource_type: str,
    after: Mapping[str, Any],
    after_unknown: Any,
    provider: ProviderSettings,
) -> Tags:
    attribute = taggable_types().get(resource_type)
    if resource_type == "aws_autoscaling_group":
        return _asg_tags(after, after_unknown)
    if attribute is not None and "." in attribute:
        return _nested(after, after_unknown, tuple(attribute.split(".")))
    if resource_type.startswith("google_"):
        return _google_labels(after, after_unknown, provider, attribute)
    declared = ("tags", "tags_all")
    if attribute is None and not any(key in after or is_unknown(after_unknown, key) for key in declared):
        return NOT_TAGGABLE
    if after.get("tags_all") is not None and not is_unknown(after_unknown, "tags_all"):
        return Tags(_map(after["tags_all"], as_dict(after_unknown).get("tags_all")), True, True)
    defaults = provider.default_tags if resource_type.startswith("aws_") else {}
    return _merged(after, after_unknown, "tags", defaults)


def _merged(after: Mapping[str, Any], after_unknown: Any, key: str, defaults: Mapping[str, Any] | Unknown) -> Tags:
    own_unknown = is_unknown(after_unknown, key)
    own = {} if own_unknown else _map(after.get(key), as_dict(after_unknown).get(key))
    if isinstance(defaults, Unknown):
        return Tags(own, complete=False, taggable=True)
    merged: TagMap = {str(k): _text(v) for k, v in defaults.items()}
    merged.update(own)
    return Tags(merged, complete=not own_unknown, taggable=True)


def _asg_tags(after: Mapping[str, Any], after_unknown: Any) -> Tags:
    values: TagMap = {}
    complete = True
    for attribute in ("tag", "tags"):
        if is_unknown(after_unknown, attribute):
            complete = False
            continue
        for index, block in enumerate(as_list(after.get(attribute))):
            block = as_dict(block)
            if is_unknown(after_unknown, attribute, index, "key"):
                complete = False
                continue
            key = as_str(block.get("key"))
            if key is None:
                continue
            unknown_value = is_unknown(after_unknown, attribute, index, "value")
            values[key] = None if unknown_value else _text(block.get("value"))
    return Tags(values, complete, taggable=True)


def _google_labels(
    after: Mapping[str, Any], after_unknown: Any, provider: ProviderSettings, attribute: str | None
) -> Tags:
    declared = ("labels", "terraform_labels")
    if attribute is None and not any(key in after or is_unknown(after_unknown, key) for key in declared):
        return NOT_TAGGABLE
    if after.get("terraform_labels") is not None and not is_unknown(after_unknown, "terraform_labels"):
        unknown = as_dict(after_unknown).get("terraform_labels")
        return Tags(_map(after["terraform_labels"], unknown), True, True)
    return _merged(after, after_unknown, attribute or "labels", provider.default_labels)


def _nested(after: Mapping[str, Any], after_unknown: Any, path: tuple[str, ...]) -> Tags:
    """Labels inside a block (``node_config.resource_labels``): provider defaults do not reach them."""
    steps: list[str | int] = [part for step in path[:-1] for part in (step, 0)]
    steps.append(path[-1])
    if is_unknown(after_unknown, *steps):
        return Tags({}, complete=False, taggable=True)
    return Tags(_map(_at(after, steps), _at(after_unknown, steps)), complete=True, taggable=True)


def _at(node: Any, steps: list[str | int]) -> Any:
    for step in steps:
        if isinstance(step, int):
            items = as_list(node)
            node = items[step] if step < len(items) else None
        else:
            node = as_dict(node).get(step)
    return node


def _map(value: Any, unknown: Any) -> TagMap:
    unknown_keys = as_dict(unknown)
    return {str(key): None if unknown_keys.get(key) is True else _text(item) for key, item in as_dict(value).items()}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
