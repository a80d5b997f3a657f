"""HCL2 as conftest reads it (tmccombs/hcl2json), from python-hcl2's document.

hcl2json nests a block under its type and each label, and ends in a list of bodies:
``resource "aws_instance" "web" {}`` is ``{"resource": {"aws_instance": {"web": [{}]}}}``; a
block without labels is a list of bodies. Expressions that are not literals are kept as
``"${...}"`` strings, as both tools write them.
"""

from __future__ import annotations

from typing import Any

_META = ("__start_line__", "__end_line__")


def _is_block(value: Any) -> bool:
    """python-hcl2 (with meta) marks every block body with its lines; an object value has none."""
    while isinstance(value, dict):
        if "__start_line__" in value:
            return True
        if len(value) != 1:
            return False
        value = next(iter(value.values()))
    return False


def _body(raw: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _META:
            continue
        if isinstance(value, list) and value and all(_is_block(item) for item in value):
            for item in value:
                _add_block(body, key, item)
        else:
            body[key] = _value(value)
    return body


def _add_block(into: dict[str, Any], kind: str, raw: dict[str, Any]) -> None:
    """One block: labels (python-hcl2's nested single-key dicts) down to its body."""
    labels: list[str] = []
    while "__start_line__" not in raw:
        (label, raw), *_ = raw.items()
        labels.append(label)
    if not labels:
        into.setdefault(kind, [])
        if isinstance(into[kind], list):
            into[kind].append(_body(raw))
        return
    node = into.setdefault(kind, {})
    for label in labels[:-1]:
        node = node.setdefault(label, {})
    node.setdefault(labels[-1], []).append(_body(raw))


def _value(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _value(item) for key, item in value.items() if key not in _META}
    if isinstance(value, list):
        return [_value(item) for item in value]
    return value


def convert(document: dict[str, Any]) -> dict[str, Any]:
    return _body(document)
