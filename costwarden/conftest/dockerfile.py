"""A Dockerfile as conftest's parser gives it (BuildKit's instructions): one object per
instruction with ``Cmd`` (lower case), ``Flags``, ``Value``, ``Original``, ``JSON``, ``Stage``
and ``SubCmd``, and the comments before an instruction as ``comment`` entries."""

from __future__ import annotations

import io
import json
import re
import shlex
from typing import Any

_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_JSON_FORM = ("run", "cmd", "entrypoint", "shell", "copy", "add", "volume")
_PAIRS = ("env", "label")
_WORDS = ("from", "copy", "add", "volume", "expose", "onbuild", "arg")


def _flags(value: str) -> tuple[list[str], str]:
    flags: list[str] = []
    rest = value
    while rest.startswith("--"):
        word, _, rest = rest.partition(" ")
        flags.append(word)
        rest = rest.lstrip()
    return flags, rest


def _json_list(value: str) -> list[str] | None:
    if not value.startswith("["):
        return None
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        return None
    return [str(item) for item in parsed] if isinstance(parsed, list) else None


def _pairs(value: str) -> list[str]:
    """``ENV A=1 B="two words"`` -> ``["A", "1", "B", "two words"]``; the old ``ENV A 1`` form too."""
    try:
        words = shlex.split(value, posix=True)
    except ValueError:
        words = value.split()
    if words and "=" not in words[0]:
        return [words[0], value[len(value.split(None, 1)[0]) :].strip()]
    found: list[str] = []
    for word in words:
        key, _, item = word.partition("=")
        found += [key, item]
    return found


def _values(cmd: str, value: str) -> tuple[list[str], bool]:
    if cmd in _JSON_FORM:
        listed = _json_list(value)
        if listed is not None:
            return listed, True
    if cmd in _PAIRS:
        return _pairs(value), False
    if cmd in _WORDS:
        return value.split(), False
    return [value], False


def commands(text: str) -> list[dict[str, Any]]:
    from dockerfile_parse import DockerfileParser  # type: ignore[import-untyped]

    parsed = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
    found: list[dict[str, Any]] = []
    comments: list[str] = []
    stage = -1
    directives_over = False
    for entry in parsed.structure:
        instruction = str(entry["instruction"]).lower()
        if instruction == "comment":
            if not directives_over and _DIRECTIVE.match(str(entry["content"]).strip()):
                continue
            comments.append(str(entry["value"]).strip())
            continue
        directives_over = True
        if instruction == "from":
            stage += 1
        for comment in comments:
            found.append(_command("comment", [], [comment], max(stage, 0), "", False, ""))
        comments = []
        flags, rest = _flags(str(entry["value"]).strip())
        sub = ""
        if instruction in ("onbuild", "healthcheck") and rest:
            first, _, remainder = rest.partition(" ")
            if instruction == "onbuild" or first.upper() == "CMD":
                sub, rest = first.lower(), remainder.strip()
        values, is_json = _values(sub or instruction, rest)
        original = " ".join(str(entry["content"]).replace("\\\n", " ").split())
        found.append(_command(instruction, flags, values, max(stage, 0), sub, is_json, original))
    return found


def _command(cmd: str, flags: list[str], value: list[str], stage: int, sub: str, is_json: bool, original: str) -> Any:
    return {
        "Cmd": cmd,
        "Flags": flags,
        "Value": value,
        "Original": original,
        "JSON": is_json,
        "Stage": stage,
        "SubCmd": sub,
    }
