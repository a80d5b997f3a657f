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
from costwarden.yaml_bounds import line_of as _line
from costwarden.yaml_bounds import out_of_bounds

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


@dataclass(frozen=True)
class YamlDocument:
    data: Any
    line: int
    """1-based line where the document's content starts."""
    source: str | None = None
    """The Helm template that rendered it, from a ``# Source:`` header."""
    duplicates: tuple[tuple[str, int, int], ...] = ()
    """Keys given twice in one mapping: ``(key, first line, second line)``; the last one wins."""


def duplicate_keys(path: str, document: YamlDocument) -> list[Problem]:
    """A warning per key given twice: YAML's last value wins (as ``kubectl`` reads it), and the
    reviewer may have meant the first."""
    return [
        Problem(f"duplicate key {key!r} (lines {first} and {second}): the value at line {second} is used", path, second)
        for key, first, second in document.duplicates
    ]


def read_documents(path: str, text: str, keep_empty: bool = False) -> Iterator[YamlDocument]:
    """Every non-empty document (with ``keep_empty``, empty ones too, as ``None``); a YAML error
    is a ``LoadError`` naming its line."""
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
            refused = out_of_bounds(node) if anchored else None
            if refused is not None:
                raise LoadError(refused[0], path=path, line=refused[1])
            loader.duplicates = []
            data = _Builder(loader).document(node)
            if data is not None or keep_empty:
                yield YamlDocument(data, line, source, tuple(loader.duplicates))
    except ValueError as exc:  # an integer of more digits than Python converts (4,300)
        raise LoadError(f"invalid YAML: {str(exc).splitlines()[0]}", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise LoadError(f"invalid YAML: {problem}", path=path, line=mark.line + 1 if mark else None) from None
    finally:
        loader.dispose()


_STR, _MAP, _SEQ, _MERGE = (f"tag:yaml.org,2002:{name}" for name in ("str", "map", "seq", "merge"))
_SCALARS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("int", "float", "bool", "null", "timestamp"))


class _ConstructorNeededError(Exception):
    """The document holds what only PyYAML's own constructor builds (a merge key, a tag)."""


class _Builder:
    """Builds a composed document as the loader would, in about half its time: strings as they
    are, other plain scalars through the loader's own constructors (each distinct one once),
    mappings and sequences directly. A document with a merge key, a tag of its own (``!Ref``)
    or a collection as a key goes to the loader's constructor instead."""

    def __init__(self, loader: Any):
        self.loader = loader
        self.scalars: dict[tuple[str, str], Any] = {}
        self.built: dict[int, Any] = {}

    def document(self, root: yaml.Node) -> Any:
        try:
            return self._value(root)
        except (_ConstructorNeededError, RecursionError):
            self.loader.duplicates = []
            return self.loader.construct_document(root)
        finally:
            self.built.clear()
            self.loader.constructed_objects = {}

    def _value(self, node: yaml.Node) -> Any:
        tag = node.tag
        kind = type(node)
        if kind is yaml.ScalarNode:
            if tag == _STR:
                return node.value
            if tag not in _SCALARS:
                raise _ConstructorNeededError
            key = (tag, node.value)
            if key not in self.scalars:
                self.scalars[key] = self.loader.construct_object(node)
            return self.scalars[key]
        if id(node) in self.built:  # an alias: the same object, as the loader shares it
            return self.built[id(node)]
        if kind is yaml.SequenceNode and tag == _SEQ:
            items: list[Any] = []
            self.built[id(node)] = items
            items.extend(self._value(child) for child in node.value)
            return items
        if kind is not yaml.MappingNode or tag != _MAP:
            raise _ConstructorNeededError
        mapping: dict[Any, Any] = {}
        self.built[id(node)] = mapping
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE or type(key_node) is not yaml.ScalarNode:
                raise _ConstructorNeededError
            mapping[self._value(key_node)] = self._value(value_node)
        if len(mapping) < len(node.value):
            self._note_duplicates(node)
        return mapping

    def _note_duplicates(self, node: yaml.Node) -> None:
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self._value(key_node)
            if key in first:
                self.loader.duplicates.append((key_node.value, first[key], _line(key_node)))
            first[key] = _line(key_node)


def _source_before(sources: list[tuple[int, str]], line: int) -> str | None:
    index = bisect.bisect_left(sources, (line, "")) - 1
    return sources[index][1] if index >= 0 else None


def decode(path: str, data: bytes) -> str:
    if not data.strip():
        raise LoadError("empty file", path=path)
    return decode_text(path, data)
