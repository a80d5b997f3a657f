"""Reading a YAML or TOML mapping into a pydantic model, with errors people can act on:
one line naming the file, the key and, for YAML, the line where the key is written."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from costwarden.errors import CostwardenError
from costwarden.yaml_bounds import out_of_bounds

Model = TypeVar("Model", bound=BaseModel)
LineOf = Callable[[Sequence[Any]], int | None]


def read_yaml_mapping(text: str, source: str, error: type[CostwardenError]) -> tuple[Mapping[str, Any], LineOf]:
    """The document as a mapping, and a function from an error location to its line."""
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)
        root = loader.get_single_node()  # composed once: bounded, then built from the same nodes
        refused = out_of_bounds(root) if root is not None and "&" in text else None
        if refused is not None:
            raise error(refused[0], path=source, line=refused[1])
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"invalid YAML: {problem}", path=source, line=line) from None
    finally:
        if loader is not None:
            loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise error("expected a mapping of keys to values", path=source, line=1)
    return data, lambda loc: _yaml_line(root, loc)


def validate_model(
    model: type[Model],
    data: Mapping[str, Any],
    source: str,
    error: type[CostwardenError],
    *,
    line_of: LineOf | None = None,
    prefix: str = "",
) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        said: list[str] = []
        first_line: int | None = None
        for problem in exc.errors():
            loc = _input_path(data, problem["loc"])
            key = prefix + ".".join(_key_text(part) for part in loc)
            reason = "unknown key" if problem["type"] == "extra_forbidden" else problem["msg"]
            line = line_of(loc) if line_of else None
            text = f"{key}: {reason.removeprefix('Value error, ')}"
            if said and line is not None:
                text += f" (line {line})"
            if text not in said:
                said.append(text)
            if first_line is None:
                first_line = line
        raise error("; ".join(said), path=source, line=first_line) from None


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`` (did you mean 'CW101'?)`` for the closest known words, or nothing."""
    choices = sorted(set(known))
    close = difflib.get_close_matches(word, choices, n=2, cutoff=0.6)
    if not close:
        folded = {c.lower(): c for c in choices}
        close = difflib.get_close_matches(word.lower(), list(folded), n=2, cutoff=0.6)
        close = [folded[c] for c in close]
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def _key_text(part: Any) -> str:
    text = str(part)
    return text if re.fullmatch(r"[\w:./-]+", text) else json.dumps(text)


def _input_path(data: Any, loc: Sequence[Any]) -> tuple[Any, ...]:
    """The part of an error location that names keys of the input (not union members)."""
    path: list[Any] = []
    node = data
    for part in loc:
        found = (isinstance(node, Mapping) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        )
        if not found:
            if isinstance(node, Mapping):
                path.append(part)  # a required key that is missing: still the user's key
            break
        node = node[part]
        path.append(part)
    return tuple(path)


def _yaml_line(root: yaml.Node | None, loc: Sequence[Any]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (or of its nearest ancestor)."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    line = key.start_mark.line + 1
                    node = value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
