"""Defensive accessors for decoded JSON and YAML: input is never trusted to have a shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_EMPTY: Mapping[str, Any] = {}


def as_dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else _EMPTY


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_int(value: Any) -> int | None:
    """An integer, from an int or an integral float or numeric string; never a bool."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def first(value: Any) -> Mapping[str, Any]:
    """The first element of a nested block (plan JSON writes every block as a list)."""
    items = as_list(value)
    return as_dict(items[0]) if items else _EMPTY


def is_unknown(after_unknown: Any, *path: str | int) -> bool:
    """True when ``after_unknown`` marks the value at ``path`` (or an ancestor) unknown."""
    node = after_unknown
    for step in path:
        if node is True:
            return True
        if isinstance(step, int):
            items = as_list(node)
            node = items[step] if step < len(items) else None
        else:
            node = as_dict(node).get(step)
    return node is True
