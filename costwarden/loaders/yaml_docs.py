"""Multi-document YAML with the line where each document starts.

Helm's ``# Source: chart/templates/x.yaml`` header before a document is kept, so a finding
can name the template. CloudFormation's short-form intrinsics (``!Ref``, ``!Sub``, ``!GetAtt``
and the rest) load as their long form (``{"Ref": ...}``, ``{"Fn::Sub": ...}``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from costwarden.errors import LoadError
from costwarden.loaders.text import decode_text
from costwarden.model import Problem

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SOURCE = re.compile(r"^#\s*Source:\s*(\S+)\s*$", re.M)
_INTRINSICS = (
    "Ref", "Condition", "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select",
    "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "Length", "ToJsonString",
)  # fmt: skip


class _Loader(_BaseLoader):  # type: ignore[misc]
    """Safe loading plus CloudFormation's tags; nothing else is constructed. While it builds a
    document it notes keys given twice and refuses ``.nan`` and ``.inf``."""

    duplicates: list[tuple[str, int, int]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        seen: dict[str, int] = {}
        for name, _ in node.value:
            if isinstance(name, yaml.ScalarNode):
                if name.value in seen:
                    self.duplicates.append((name.value, seen[name.value], _line(name)))
                seen[name.value] = _line(name)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value = float(super().construct_yaml_float(node))
        if value != value or value in (float("inf"), float("-inf")):
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value} is not a number costwarden reads", node.start_mark
            )
        return value


_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)


def _intrinsic(name: str) -> Any:
    key = name if name in ("Ref", "Condition") else f"Fn::{name}"

    def construct(loader: Any, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {key: value}

    return construct


for _name in _INTRINSICS:
    _Loader.add_constructor(f"!{_name}", _intrinsic(_name))


MAX_NODES = 500_000
"""Nodes a document may hold once its aliases are expanded: a few KB of nested aliases (a
"billion laughs") would otherwise cost minutes and gigabytes in whatever walks the data."""
MAX_DEPTH = 200
"""Levels of nesting; Kubernetes and SageMaker documents use a few dozen at most."""


@dataclass(frozen=True)
class YamlDocument:
    data: Any
    line: int
    """1-based line where the document's content starts."""
    source: str | None = None
    """The Helm template that rendered it, from a ``# Source:`` header."""
    duplicates: tuple[tuple[str, int, int], ...] = ()
    """Keys given twice in one mapping: ``(key, first line, second line)``; the last one wins."""


def _inspect(path: str, root: yaml.Node) -> None:
    """Bound a document with aliases before it is built (expanded size, depth, no cycles),
    without recursion, so no input can exhaust the stack. Without anchors a document is as
    large as its text and libyaml bounds its depth, so only documents with ``&`` are walked."""
    expanded: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    open_nodes: set[int] = set()
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            children = _children(node)
            expanded[key] = 1 + sum(expanded[id(child)] for child in children)
            if expanded[key] > MAX_NODES:
                raise LoadError(f"YAML aliases expand beyond {MAX_NODES:,} nodes", path=path, line=_line(node))
            continue
        if key in expanded:
            continue
        if key in open_nodes:
            raise LoadError("a YAML alias refers to itself", path=path, line=_line(node))
        if depth > MAX_DEPTH:
            raise LoadError(f"YAML nested deeper than {MAX_DEPTH} levels", path=path, line=_line(node))
        open_nodes.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(node) if id(child) not in expanded)


def duplicate_keys(path: str, document: YamlDocument) -> list[Problem]:
    """A warning per key given twice: YAML's last value wins (as ``kubectl`` reads it), and the
    reviewer may have meant the first."""
    return [
        Problem(f"duplicate key {key!r} (lines {first} and {second}): the value at line {second} is used", path, second)
        for key, first, second in document.duplicates
    ]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def read_documents(path: str, text: str) -> Iterator[YamlDocument]:
    """Every non-empty document; a YAML error is a ``LoadError`` naming its line."""
    sources: list[tuple[int, str]] = []
    line, position = 1, 0
    for match in _SOURCE.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        sources.append((line, match.group(1)))
    loader = _Loader(text)
    anchored = "&" in text
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            line = node.start_mark.line + 1
            source = _source_before(sources, line)
            if anchored:
                _inspect(path, node)
            loader.duplicates = []
            data = loader.construct_document(node)
            if data is not None:
                yield YamlDocument(data, line, source, tuple(loader.duplicates))
    except ValueError as exc:  # an integer of more digits than Python converts (4,300)
        raise LoadError(f"invalid YAML: {str(exc).splitlines()[0]}", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise LoadError(f"invalid YAML: {problem}", path=path, line=mark.line + 1 if mark else None) from None
    finally:
        loader.dispose()


def _source_before(sources: list[tuple[int, str]], line: int) -> str | None:
    index = bisect.bisect_left(sources, (line, "")) - 1
    return sources[index][1] if index >= 0 else None


def decode(path: str, data: bytes) -> str:
    if not data.strip():
        raise LoadError("empty file", path=path)
    return decode_text(path, data)
