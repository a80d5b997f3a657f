"""An evaluated root module put in the plan's own shape, so ``.tf`` files and plans are read
by one reader and mean the same thing.

Each resource instance becomes a ``resource_changes`` entry (``create``) with literal values in
``after`` and what only apply would know marked in ``after_unknown``; provider blocks, their
``default_tags`` and the providers passed into modules become ``configuration``. Every
instance keeps the address Terraform gives it and its block's ``file:line``.

What the evaluator could not expand is said, never dropped: each module folder's resource and
module blocks are listed from its text and compared with what came back, so a ``for_each`` over
an unknown value or a module that is neither local nor downloaded is reported as not evaluated.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from costwarden.loaders.tf_evaluate import Evaluated
from costwarden.model import Location, NotEvaluated, Problem

_STEP = re.compile(r'module\.([^.\[]+)(\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\])?\.')
_INDEX = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]$')
_DECLARED = re.compile(r'^[ \t]*(resource|module)[ \t]+"([^"]+)"(?:[ \t]+"([^"]+)")?[ \t]*\{', re.M)
_PROVIDERS_ENTRY = re.compile(r'"?([A-Za-z][\w-]*(?:\.[\w-]+)?)"?\s*=\s*([A-Za-z][\w-]*(?:\.[\w-]+)?)')
_NOT_VALUES = frozenset({"count", "for_each", "provider", "lifecycle", "depends_on", "provisioner", "connection"})
_NOT_RESOURCES = frozenset({"module", "provider", "variable", "locals", "output", "terraform", "moved", "import"})
_TF_ID = "id"
"""tfparse writes its own block id over an ``id`` attribute; references it held are the block's."""


@dataclass
class ModuleCall:
    address: str
    """``module.batch``, or ``module.a.module.b`` (instance keys left out)."""
    source: str
    location: Location
    directory: Path | None
    """Where its files are, when local or downloaded; ``None`` when not read."""
    providers: dict[str, str] = field(default_factory=dict)


@dataclass
class Shaped:
    document: dict[str, Any]
    locations: dict[str, Location] = field(default_factory=dict)
    calls: list[ModuleCall] = field(default_factory=list)
    not_evaluated: list[NotEvaluated] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def shape(evaluated: Evaluated) -> Shaped:
    root = evaluated.root
    broken = {problem.path for problem in evaluated.problems}
    texts = _Texts()
    blocks = evaluated.blocks
    downloaded = _downloaded_modules(root)
    calls = _module_calls(root, blocks.get("module", []), downloaded)
    shaped = Shaped(document={})
    shaped.calls = list(calls.values())
    changes: list[dict[str, Any]] = []
    configured: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    seen_configs: set[tuple[tuple[str, ...], str]] = set()
    own_providers = {
        _module_path(str(_meta(p).get("path", "")).rsplit("provider.", 1)[0]) for p in blocks.get("provider", [])
    }
    for kind, entries in blocks.items():
        if kind in _NOT_RESOURCES:
            continue
        for entry in entries:
            meta = _meta(entry)
            if meta.get("type") != "resource":
                continue
            address = str(meta["path"])
            module_address, local = _split_address(address)
            path = _module_path(module_address)
            name = _INDEX.sub("", local).split(".", 1)[1]
            location = Location(_path(root, meta["filename"]), int(meta["line_start"]), int(meta["line_end"]))
            shaped.locations[address] = location
            provider = _provider_key(entry, kind, path, calls, own_providers)
            after, unknown = _block_values(entry)
            for block_type in texts.dynamic_before_static(location):
                unknown[block_type] = True  # see _Texts.dynamic_before_static
            change: dict[str, Any] = {
                "address": address, "mode": "managed", "type": kind, "name": name,
                "provider_name": provider.split(".")[0].split(":")[-1],
                "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": unknown or {}},
            }  # fmt: skip
            if module_address:
                change["module_address"] = module_address
            if isinstance(_INDEX.search(local), re.Match) and _unknown_meta(entry):
                shaped.warnings.append(
                    Problem(
                        "count or for_each is not known: read as one instance", location.path, location.line, address
                    )
                )
            changes.append(change)
            config_address = f"{kind}.{name}"
            if (path, config_address) not in seen_configs:
                seen_configs.add((path, config_address))
                configured.setdefault(path, []).append(
                    {"address": config_address, "mode": "managed", "type": kind, "name": name,
                     "provider_config_key": provider, "expressions": _expressions(entry)}
                )  # fmt: skip
    shaped.not_evaluated.extend(_unexpanded(root, calls, seen_configs, broken))
    shaped.document = {
        "format_version": "1.2",
        "resource_changes": changes,
        "configuration": {"provider_config": _providers(blocks.get("provider", [])), "root_module": _nest(configured)},
    }
    return shaped


class _Texts:
    """The text of the evaluated files, read only where a block holds a ``dynamic`` block."""

    _DYNAMIC = re.compile(r'^[ \t]*dynamic[ \t]+"([\w-]+)"', re.M)
    _STATIC = re.compile(r"^[ \t]*([\w-]+)[ \t]*\{", re.M)

    def __init__(self) -> None:
        self._files: dict[str, str] = {}

    def dynamic_before_static(self, location: Location) -> set[str]:
        """Block types whose expansion tfparse 0.6 cuts short: a ``dynamic "tag"`` followed by a
        static ``tag {}`` loses instances (its converter takes the later block for one of them).
        What such a block holds is unknown rather than wrong."""
        if location.path not in self._files:
            try:
                self._files[location.path] = Path(location.path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                self._files[location.path] = ""
        text = self._files[location.path]
        if "dynamic" not in text:
            return set()
        lines = text.splitlines()[location.line - 1 : location.end_line or location.line]
        block = "\n".join(lines)
        found: set[str] = set()
        for dynamic in self._DYNAMIC.finditer(block):
            kind = dynamic.group(1)
            if any(m.group(1) == kind for m in self._STATIC.finditer(block, dynamic.end())):
                found.add(kind)
        return found


def _path(root: Path, filename: Any) -> str:
    """A block's file as the scan names it: the root as given, joined and normalized."""
    return os.path.normpath(root / str(filename))


def _provider_module(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """The module a provider block sits in: ``()`` for the root."""
    return _module_path(str(_meta(entry).get("path", "")).rsplit("provider.", 1)[0])


def _meta(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = entry.get("__tfmeta")
    return meta if isinstance(meta, dict) else {}


def _split_address(address: str) -> tuple[str, str]:
    """``module.a["x"].aws_instance.b[0]`` -> ``('module.a["x"]', 'aws_instance.b[0]')``."""
    end = 0
    while match := _STEP.match(address, end):
        end = match.end()
    return address[: end - 1] if end else "", address[end:]


def _module_path(module_address: str) -> tuple[str, ...]:
    return tuple(match.group(1) for match in _STEP.finditer(module_address.rstrip(".") + "."))


def _unknown_meta(entry: Mapping[str, Any]) -> bool:
    return any(_is_reference(entry.get(key)) for key in ("count", "for_each"))


def _is_reference(value: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and "__attribute__" in value


def _is_block(value: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and "__tfmeta" in value


def _values(node: Any, in_map: bool = False) -> tuple[Any, Any]:
    """``(after, after_unknown)`` of a value. A reference or a template left unresolved is
    unknown, and so is a null inside a map: the evaluator gives an unresolved map value as null."""
    if _is_reference(node) or (isinstance(node, str) and "${" in node) or (in_map and node is None):
        return None, True
    if _is_block(node) or (isinstance(node, list) and node and all(_is_block(item) for item in node)):
        pairs = [_block_values(item) for item in _listed(node)]  # blocks are lists in a plan
        return _joined(pairs)
    if isinstance(node, dict):
        split = {str(k): _values(v, in_map=True) for k, v in node.items()}
        return {k: p[0] for k, p in split.items()}, {k: p[1] for k, p in split.items() if _marked(p[1])}
    if isinstance(node, list):
        return _joined([_values(v) for v in node])
    return node, False


def _block_values(block: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    split = {k: _values(v) for k, v in block.items() if k not in _NOT_VALUES and k not in ("__tfmeta", _TF_ID)}
    return {k: p[0] for k, p in split.items()}, {k: p[1] for k, p in split.items() if _marked(p[1])}


def _joined(pairs: list[tuple[Any, Any]]) -> tuple[list[Any], list[Any]]:
    unknown = [p[1] for p in pairs]
    return [p[0] for p in pairs], unknown if any(_marked(u) for u in unknown) else []


def _marked(unknown: Any) -> bool:
    return unknown not in (False, {}, [])


def _listed(node: Any) -> list[dict[str, Any]]:
    return node if isinstance(node, list) else [node]


def _references(entry: Mapping[str, Any]) -> list[str]:
    refs = _meta(entry).get("references") or []
    return [f"{r['label']}.{r['name']}" for r in refs if isinstance(r, dict) and r.get("name")]


def _expressions(block: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration's view of a block: references where the value was one, else constants."""
    found: dict[str, Any] = {}
    block_refs = _references(block)
    for key, value in block.items():
        if key == "__tfmeta" or key in ("count", "for_each", "provider"):
            continue
        if key == _TF_ID:
            if block_refs:
                found[key] = {"references": block_refs}
            continue
        if _is_block(value) or (isinstance(value, list) and value and all(_is_block(v) for v in value)):
            found[key] = [_expressions(item) for item in _listed(value)]
        elif _is_reference(value):
            expression = str(value["__attribute__"])
            found[key] = {"references": [expression, *block_refs]}
        elif isinstance(value, str) and "${" in value:
            found[key] = {"references": block_refs or ["unknown"]}
        elif block_refs and isinstance(value, str):
            # a value the evaluator resolved from another resource (cluster = google_container_cluster.x.name)
            found[key] = {"constant_value": value, "references": block_refs}
        else:
            found[key] = {"constant_value": value}
    return found


def _provider_key(
    entry: Mapping[str, Any],
    kind: str,
    path: tuple[str, ...],
    calls: Mapping[str, ModuleCall],
    own_providers: set[tuple[str, ...]],
) -> str:
    """The root provider configuration a resource uses, through every module's ``providers``."""
    given = entry.get("provider")
    key = str(given["__attribute__"]) if _is_reference(given) else kind.split("_")[0]
    for depth in range(len(path), 0, -1):
        if path[:depth] in own_providers:
            return f"{'.'.join(f'module.{p}' for p in path[:depth])}:{key}"
        call = calls.get(".".join(f"module.{p}" for p in path[:depth]))
        if call is not None:
            key = call.providers.get(key, key)
    return key


def _providers(entries: list[dict[str, Any]]) -> dict[str, Any]:
    providers: dict[str, Any] = {}
    for entry in entries:
        meta = _meta(entry)
        module_address = str(meta.get("path", "")).rsplit("provider.", 1)[0].rstrip(".")
        name = str(meta.get("label") or "")
        alias = entry.get("alias")
        key = f"{name}.{alias}" if isinstance(alias, str) else name
        if module_address:
            key = f"{module_address}:{key}"
        expressions: dict[str, Any] = {}
        for attribute in ("region", "zone", "project"):
            if attribute in entry:
                value = entry[attribute]
                known = isinstance(value, str) and "${" not in value
                expressions[attribute] = {"constant_value": value} if known else {"references": ["unknown"]}
        for block_name, attribute in (("default_tags", "tags"),):
            block = entry.get(block_name)
            if _is_block(block):
                after, unknown = _values(block.get(attribute))
                known = isinstance(after, dict) and not unknown
                tags = {"constant_value": after} if known else {"references": ["unknown"]}
                expressions[block_name] = [{attribute: tags}]
        if "default_labels" in entry:
            after, unknown = _values(entry["default_labels"])
            known = isinstance(after, dict) and not unknown
            expressions["default_labels"] = {"constant_value": after} if known else {"references": ["unknown"]}
        providers[key] = {"name": name, "expressions": expressions}
        if module_address:
            providers[key]["module_address"] = module_address
    return providers


def _nest(configured: Mapping[tuple[str, ...], list[dict[str, Any]]]) -> dict[str, Any]:
    root: dict[str, Any] = {"resources": configured.get((), [])}
    for path, resources in configured.items():
        node = root
        for step in path:
            node = node.setdefault("module_calls", {}).setdefault(step, {"module": {}})["module"]
        if path:
            node["resources"] = resources
    return root


def _downloaded_modules(root: Path) -> dict[str, Path]:
    """``terraform init``'s record of the modules it fetched: module key -> folder."""
    manifest = root / ".terraform" / "modules" / "modules.json"
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8")).get("Modules", [])
    except (OSError, ValueError, AttributeError):
        return {}
    found: dict[str, Path] = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("Key") and isinstance(entry.get("Dir"), str):
            folder = Path(os.path.normpath(root / entry["Dir"]))
            if folder.is_dir():
                found[str(entry["Key"])] = folder
    return found


def _module_calls(root: Path, entries: list[dict[str, Any]], downloaded: Mapping[str, Path]) -> dict[str, ModuleCall]:
    calls: dict[str, ModuleCall] = {}
    for entry in entries:
        meta = _meta(entry)
        module_address = str(meta.get("path", ""))
        address = ".".join(f"module.{step}" for step in _module_path(module_address))
        if address in calls:
            continue
        source = entry.get("source")
        source = source if isinstance(source, str) else ""
        file = Path(_path(root, meta.get("filename", "")))
        location = Location(str(file), int(meta.get("line_start", 1)), int(meta.get("line_end", 1)))
        directory: Path | None
        if source.startswith(("./", "../")):
            directory = Path(os.path.normpath(file.parent / source))
            directory = directory if directory.is_dir() and any(directory.glob("*.tf")) else None
        else:
            directory = downloaded.get(".".join(_module_path(module_address)))
        providers = _passed_providers(file, location)
        calls[address] = ModuleCall(address, source, location, directory, providers)
    return calls


def _passed_providers(file: Path, location: Location) -> dict[str, str]:
    """A module block's ``providers = { aws = aws.west }``, read from its text (the evaluator
    does not keep provider references)."""
    try:
        lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return {}
    text = "\n".join(lines[location.line - 1 : location.end_line or location.line])
    start = re.search(r"\bproviders\s*=\s*\{", text)
    if start is None:
        return {}
    body = text[start.end() : text.find("}", start.end())]
    return dict(_PROVIDERS_ENTRY.findall(body))


def declared_blocks(directory: Path) -> Iterator[tuple[str, str, Location]]:
    """``(kind, config address, location)`` of each resource and module block in a folder's text."""
    for path in sorted(directory.glob("*.tf")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for match in _DECLARED.finditer(text):
            kind, first, second = match.groups()
            line = text.count("\n", 0, match.start()) + 1
            if kind == "resource" and second:
                yield kind, f"{first}.{second}", Location(str(path), line)
            elif kind == "module":
                yield kind, f"module.{first}", Location(str(path), line)


def _unexpanded(
    root: Path,
    calls: Mapping[str, ModuleCall],
    seen: set[tuple[tuple[str, ...], str]],
    broken: set[str | None],
) -> Iterator[NotEvaluated]:
    """Blocks a module's text declares that the evaluation did not return, and module calls not read."""
    evaluated_calls = set(calls)
    folders: list[tuple[tuple[str, ...], Path]] = [((), root)]
    folders += [(_module_path(call.address), call.directory) for call in calls.values() if call.directory]
    for path, folder in folders:
        prefix = "".join(f"module.{step}." for step in path)
        for kind, address, location in declared_blocks(folder):
            if location.path in broken:
                continue  # the file's own error says it was not read
            if kind == "resource" and (path, address) not in seen:
                reason = "count or for_each is not known here, so its instances are unknown"
                yield NotEvaluated("resource", prefix + address, location, reason)
            elif kind == "module" and prefix + address not in evaluated_calls:
                reason = "count or for_each is not known here, so its instances are unknown"
                yield NotEvaluated("module", prefix + address, location, reason)
    for call in calls.values():
        if call.directory is None:
            yield NotEvaluated("module", call.address, call.location, _why_not_read(call.source, call.location.path))


def _why_not_read(source: str, caller: str) -> str:
    if source.startswith(("./", "../")):
        folder = Path(caller).parent / source
        return f"module source {source} holds no .tf files" if folder.is_dir() else f"module source {source} not found"
    return (
        f"module source {source!r} ({source_kind(source)}) is not downloaded (run terraform init), "
        "so what it declares is unknown"
    )


def source_kind(source: Any) -> str:
    """How Terraform would fetch a module source: registry, git, an archive over HTTP, ..."""
    text = str(source or "")
    for prefix, kind in (("git::", "git"), ("hg::", "mercurial"), ("s3::", "S3"), ("gcs::", "GCS")):
        if text.startswith(prefix):
            return kind
    if text.startswith(("github.com/", "git@", "bitbucket.org/")):
        return "git"
    if text.startswith(("http://", "https://")):
        return "an archive over HTTP"
    if not text:
        return "no source"
    return "registry" if text.count("/") in (2, 3) else "unrecognized"
