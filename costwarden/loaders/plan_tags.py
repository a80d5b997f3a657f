"""Effective tags of a planned resource, as the cloud will see them after apply.

In order: AWS ``tags_all`` when known; else the resource's ``tags`` merged over the provider's
``default_tags``; Auto Scaling group ``tag {}`` blocks (``default_tags`` do not reach them);
Google ``terraform_labels`` when known, else ``labels`` over ``default_labels``; Azure and
every other provider's ``tags``. A key whose value is unknown maps to ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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


def effective_tags(
    resource_type: str,
    after: Mapping[str, Any],
    after_unknown: Any,
    provider: ProviderSettings,
) -> Tags:
    if resource_type == "aws_autoscaling_group":
        return _asg_tags(after, after_unknown)
    if resource_type.startswith("google_"):
        return _google_labels(after, after_unknown, provider)
    declared = ("tags", "tags_all")
    if not any(key in after or is_unknown(after_unknown, key) for key in declared):
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


def _google_labels(after: Mapping[str, Any], after_unknown: Any, provider: ProviderSettings) -> Tags:
    declared = ("labels", "terraform_labels")
    if not any(key in after or is_unknown(after_unknown, key) for key in declared):
        return NOT_TAGGABLE
    if after.get("terraform_labels") is not None and not is_unknown(after_unknown, "terraform_labels"):
        unknown = as_dict(after_unknown).get("terraform_labels")
        return Tags(_map(after["terraform_labels"], unknown), True, True)
    return _merged(after, after_unknown, "labels", provider.default_labels)


def _map(value: Any, unknown: Any) -> TagMap:
    unknown_keys = as_dict(unknown)
    return {str(key): None if unknown_keys.get(key) is True else _text(item) for key, item in as_dict(value).items()}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
