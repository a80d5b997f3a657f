"""A Terraform module directory read with python-hcl2: blocks with their file and lines,
variables' defaults and locals resolved where literal, everything else unknown."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from costwarden.errors import LoadError
from costwarden.loaders.text import decode_text
from costwarden.model import Problem

_INTERPOLATION = re.compile(r"\$\{")
_WHOLE = re.compile(r"^\$\{([^{}]*)\}$")
_TOSET = re.compile(r"^(?:toset|tolist)\(\[([\w\s\",.-]*)\]\)$")
_REFERENCE = re.compile(r"\b((?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w-]*)")
META = ("__start_line__", "__end_line__")
MAX_TF_BYTES = 8 << 20
"""python-hcl2 (lark) holds about twenty times a file's size while it parses; real .tf files
are kilobytes, so a larger one is an error rather than gigabytes of memory."""


class Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


@dataclass(frozen=True)
class Block:
    kind: str
    labels: tuple[str, ...]
    body: dict[str, Any]
    path: str
    line: int
    end_line: int | None


@dataclass
class Module:
    directory: Path
    files: list[Path] = field(default_factory=list)
    resources: list[Block] = field(default_factory=list)
    module_calls: list[Block] = field(default_factory=list)
    providers: list[Block] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def evaluate(self, value: Any, depth: int = 0) -> Any:
        """Literal values as they are; ``var.x`` and ``local.x`` resolved where literal."""
        if isinstance(value, str):
            if not _INTERPOLATION.search(value):
                return value
            whole = _WHOLE.match(value)
            if whole and depth < 8:
                expression = whole.group(1).strip()
                if expression.startswith("var.") and expression[4:] in self.variables:
                    return self.evaluate(self.variables[expression[4:]], depth + 1)
                if expression.startswith("local.") and expression[6:] in self.locals:
                    return self.evaluate(self.locals[expression[6:]], depth + 1)
                if literal := _TOSET.match(expression):
                    items = [item.strip().strip('"') for item in literal.group(1).split(",")]
                    return [item for item in items if item]
            return UNKNOWN
        if isinstance(value, dict):
            return {k: self.evaluate(v, depth) for k, v in value.items() if k not in META}
        if isinstance(value, list):
            return [self.evaluate(v, depth) for v in value]
        return value


def references(value: Any) -> Iterator[str]:
    """Resource addresses an expression refers to: ``aws_launch_template.gpu``."""
    if isinstance(value, str):
        for expression in re.findall(r"\$\{(.*?)\}", value):
            for kind, name in _REFERENCE.findall(expression):
                if not kind.startswith(("var", "local", "module", "each", "count", "path", "terraform")):
                    yield f"{kind}.{name}"
    elif isinstance(value, dict):
        for inner in value.values():
            yield from references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from references(inner)


def parse_directory(directory: Path, files: list[Path] | None = None) -> Module:
    from hcl2.api import load as load_hcl
    from lark.exceptions import LarkError

    module = Module(directory)
    for path in sorted(files if files is not None else directory.glob("*.tf")):
        module.files.append(path)
        try:
            if path.stat().st_size > MAX_TF_BYTES:
                reason = f"larger than {MAX_TF_BYTES >> 20} MiB: a .tf file this size is not read (parsing needs ~20x)"
                module.problems.append(Problem(reason, str(path)))
                continue
            text = decode_text(str(path), path.read_bytes())
        except OSError as exc:
            module.problems.append(Problem(f"cannot read: {exc.strerror}", str(path)))
            continue
        except LoadError as exc:
            module.problems.append(Problem(exc.message, exc.path, exc.line))
            continue
        try:
            document = load_hcl(io.StringIO(text), with_meta=True)
        except RecursionError:
            module.problems.append(Problem("invalid HCL: nested too deeply to read", str(path)))
            continue
        except (LarkError, ValueError, TypeError, IndexError, KeyError) as exc:
            line = getattr(exc, "line", None)
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            module.problems.append(
                Problem(f"invalid HCL: {reason[:160]}", str(path), line if isinstance(line, int) else None)
            )
            continue
        _collect(module, document, str(path))
    return module


def _blocks(entries: Any, kind: str, path: str, depth: int) -> Iterator[Block]:
    """HCL blocks nest one dict per label: ``resource -> [{type: {name: body}}]``."""

    def walk(node: Any, labels: tuple[str, ...]) -> Iterator[Block]:
        if not isinstance(node, dict):
            return
        if len(labels) == depth:
            yield Block(kind, labels, node, path, int(node.get("__start_line__", 1)), node.get("__end_line__"))
            return
        for key, inner in node.items():
            if key in META:
                continue
            yield from walk(inner, (*labels, str(key)))

    for entry in entries if isinstance(entries, list) else [entries]:
        yield from walk(entry, ())


def _collect(module: Module, document: dict[str, Any], path: str) -> None:
    for block in _blocks(document.get("resource", []), "resource", path, 2):
        module.resources.append(block)
    for block in _blocks(document.get("module", []), "module", path, 1):
        module.module_calls.append(block)
    for block in _blocks(document.get("provider", []), "provider", path, 1):
        module.providers.append(block)
    for block in _blocks(document.get("variable", []), "variable", path, 1):
        if "default" in block.body:
            module.variables[block.labels[0]] = block.body["default"]
    for entry in document.get("locals", []) or []:
        if isinstance(entry, dict):
            module.locals.update({k: v for k, v in entry.items() if k not in META})
