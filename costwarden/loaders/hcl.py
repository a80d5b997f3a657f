"""Terraform ``.tf`` files. A directory is one input: its variables, locals and providers
apply to every file in it; local modules (``source = "./..."``) are read in place with their
addresses (``module.batch.aws_eks_node_group.gpu``); other modules are reported as calls.

Each module is put in the plan's own shape (``resource_changes`` with literal values and
``after_unknown`` for interpolations, ``configuration`` with references, regions and
``default_tags``) and read by the plan reader, so ``.tf`` files and plans mean the same thing.
Every resource points at its block's ``file:line``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from costwarden.loaders.base import Loaded
from costwarden.loaders.hcl_module import UNKNOWN, Block, Module, parse_directory, references
from costwarden.loaders.terraform_compute import BUILDERS
from costwarden.loaders.terraform_plan import read_document
from costwarden.loaders.values import as_dict
from costwarden.model import Location, NotEvaluated, Problem

NAME: str = "terraform-hcl"
PATTERNS: tuple[str, ...] = ("*.tf",)
MAX_MODULE_DEPTH = 10


def sniff(path: str, head: bytes) -> bool:
    return path.endswith(".tf")


def load(path: str, data: bytes) -> Loaded:
    """One ``.tf`` file given on its own: read its directory, keep this file's resources."""
    file = Path(path)
    loaded = load_directory(file.parent, [file])
    return loaded


def is_local(source: Any) -> bool:
    return isinstance(source, str) and source.startswith(("./", "../"))


def load_directory(directory: Path, files: list[Path] | None = None, module: Module | None = None) -> Loaded:
    """A root module; ``module`` when the directory was parsed already."""
    loaded = Loaded()
    module = module or parse_directory(directory, files)
    _read_module(module, (), {}, loaded, set(), {})
    return loaded


def called_directories(modules: Iterable[Module]) -> set[Path]:
    """Directories some module calls as a local module: they are read through that call."""
    called: set[Path] = set()
    for module in modules:
        for block in module.module_calls:
            source = block.body.get("source")
            if is_local(source):
                called.add((module.directory / str(source)).resolve())
    return called


def _read_module(
    module: Module,
    path: tuple[str, ...],
    passed: Mapping[str, str],
    loaded: Loaded,
    seen: set[Path],
    inherited: Mapping[str, Any],
) -> None:
    """Read one module; ``inherited`` are the calling module's provider configurations."""
    loaded.errors.extend(module.problems)
    prefix = "".join(f"module.{name}." for name in path)
    document, blocks = _as_plan(module, prefix, passed, loaded, inherited)
    plan = read_document(str(module.directory), document)
    for resource in plan.resources:
        block = blocks.get(resource.address)
        if block is not None:
            location = Location(block.path, block.line, block.end_line)
            resource = dataclasses.replace(
                resource, location=location, document=str(module.directory), source_format=NAME
            )
        loaded.resources.append(resource)
    loaded.warnings.extend(plan.warnings)
    loaded.errors.extend(plan.errors)
    providers = document["configuration"]["provider_config"]
    for call in module.module_calls:
        _read_call(module, call, path, passed, loaded, seen, providers)


def _read_call(
    module: Module,
    call: Block,
    path: tuple[str, ...],
    passed: Mapping[str, str],
    loaded: Loaded,
    seen: set[Path],
    providers: Mapping[str, Any],
) -> None:
    name = call.labels[0]
    source = call.body.get("source")
    address = "".join(f"module.{step}." for step in path) + f"module.{name}"

    def not_read(reason: str) -> None:
        """What the call declares is not evaluated: one warning, and a not-evaluated entry."""
        where = Location(call.path, call.line, call.end_line)
        loaded.not_evaluated.append(NotEvaluated("module", address, where, reason))
        loaded.warnings.append(Problem(f"not evaluated: {reason}", call.path, call.line, address))

    if not is_local(source):
        not_read(f"module source {source!r} ({source_kind(source)}) is not read, so what it declares is unknown")
        return
    if len(path) >= MAX_MODULE_DEPTH:
        not_read(f"modules nest deeper than {MAX_MODULE_DEPTH}; {source} is not read")
        return
    directory = Path(os.path.normpath(module.directory / str(source)))
    if directory.resolve() in seen:
        return
    if not directory.is_dir():
        not_read(f"module source {source} not found")
        return
    child = parse_directory(directory)
    if not child.files:
        not_read(f"module source {source} holds no .tf files")
        return
    aliases = {str(k): _provider_key(v) or str(v) for k, v in as_dict(call.body.get("providers")).items()}
    child.variables.update(
        {
            k: v
            for k, v in call.body.items()
            if not k.startswith("__") and k not in ("source", "providers", "count", "for_each", "version", "depends_on")
        }
    )
    _read_module(child, (*path, name), {**passed, **aliases}, loaded, seen | {directory.resolve()}, providers)


def source_kind(source: Any) -> str:
    """How Terraform would fetch a module source: registry, git, an archive over HTTP, ..."""
    text = str(source)
    for prefix, kind in (("git::", "git"), ("hg::", "mercurial"), ("s3::", "S3"), ("gcs::", "GCS")):
        if text.startswith(prefix):
            return kind
    if text.startswith(("github.com/", "git@", "bitbucket.org/")):
        return "git"
    if text.startswith(("http://", "https://")):
        return "an archive over HTTP"
    if source is None or not text:
        return "no source"
    return "registry" if text.count("/") in (2, 3) else "unrecognized"


def _provider_key(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return value[2:-1]
    return None


def _split(value: Any) -> tuple[Any, Any]:
    """``(after, after_unknown)`` as a plan writes them: unknowns null, marked true."""
    if value is UNKNOWN:
        return None, True
    if isinstance(value, dict):
        pairs = {k: _split(v) for k, v in value.items()}
        return {k: p[0] for k, p in pairs.items()}, {k: p[1] for k, p in pairs.items() if p[1] not in (False, {}, [])}
    if isinstance(value, list):
        pairs_list = [_split(v) for v in value]
        unknown = [p[1] for p in pairs_list]
        return [p[0] for p in pairs_list], unknown if any(u not in (False, {}, []) for u in unknown) else []
    return value, False


def _expressions(body: Any) -> Any:
    if isinstance(body, str):
        refs = list(references(body))
        return {"references": refs} if refs or "${" in body else {"constant_value": body}
    if isinstance(body, list) and all(isinstance(item, dict) for item in body):
        return [_expressions(item) for item in body]
    if isinstance(body, dict):
        return {k: _expressions(v) for k, v in body.items() if not k.startswith("__")}
    return {"constant_value": body}


def _instances(module: Module, block: Block) -> list[Any] | None:
    """Instance keys from a literal ``count`` or ``for_each``; ``None`` for a single instance."""
    if "count" in block.body:
        count = module.evaluate(block.body["count"])
        return list(range(count)) if isinstance(count, int) and not isinstance(count, bool) else None
    if "for_each" in block.body:
        each = module.evaluate(block.body["for_each"])
        if isinstance(each, dict):
            return list(each)
        if isinstance(each, list) and all(isinstance(k, str) for k in each):
            return list(dict.fromkeys(each))
    return None


def _as_plan(
    module: Module, prefix: str, passed: Mapping[str, str], loaded: Loaded, inherited: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Block]]:
    changes: list[dict[str, Any]] = []
    configured: list[dict[str, Any]] = []
    blocks: dict[str, Block] = {}
    for block in module.resources:
        resource_type, name = block.labels
        values = module.evaluate(
            {
                k: v
                for k, v in block.body.items()
                if k not in ("count", "for_each", "provider", "lifecycle", "depends_on")
            }
        )
        if resource_type in BUILDERS and not {"tags", "labels"} & set(values):
            # an omitted tags argument is still a taggable resource (plans show it as null)
            values["labels" if resource_type.startswith("google_") else "tags"] = None
        after, unknown = _split(values)
        provider = _provider_key(block.body.get("provider")) or resource_type.split("_")[0]
        provider = passed.get(provider, provider)
        configured.append({
            "address": f"{resource_type}.{name}", "mode": "managed", "type": resource_type, "name": name,
            "provider_config_key": provider, "expressions": _expressions(block.body),
        })  # fmt: skip
        keys = _instances(module, block)
        if keys is None and ("count" in block.body or "for_each" in block.body):
            loaded.warnings.append(
                Problem(
                    "count or for_each is not literal: read as one instance",
                    block.path,
                    block.line,
                    f"{prefix}{resource_type}.{name}",
                )
            )
        for key in keys if keys is not None else [None]:
            index = "" if key is None else f"[{json.dumps(key)}]"
            address = f"{prefix}{resource_type}.{name}{index}"
            blocks[address] = block
            entry: dict[str, Any] = {"address": address, "mode": "managed", "type": resource_type, "name": name}
            if prefix:
                entry["module_address"] = prefix.rstrip(".")
            entry["provider_name"] = provider.split(".")[0]
            entry["change"] = {"actions": ["create"], "before": None, "after": after, "after_unknown": unknown or {}}
            changes.append(entry)
    providers: dict[str, Any] = dict(inherited)
    for block in module.providers:
        name = block.labels[0]
        alias = module.evaluate(block.body.get("alias"))
        key = f"{name}.{alias}" if isinstance(alias, str) else name
        expressions = _expressions({k: v for k, v in block.body.items() if k in ("region", "zone", "project")})
        for attribute in ("region", "zone"):
            value = module.evaluate(block.body.get(attribute))
            if isinstance(value, str):
                expressions[attribute] = {"constant_value": value}
        for tags_block in block.body.get("default_tags", []) or []:
            tags = module.evaluate(as_dict(tags_block).get("tags"))
            expression = {"constant_value": tags} if isinstance(tags, dict) else {"references": ["unknown"]}
            expressions["default_tags"] = [{"tags": expression}]
        providers[key] = {"name": name, "expressions": expressions}
    # nest the configuration under the module path so the plan reader finds it
    root: dict[str, Any] = {"resources": configured}
    for step in reversed([p for p in prefix.split(".") if p and p != "module"]):
        root = {"module_calls": {step: {"module": root}}}
    document = {
        "format_version": "1.2",
        "resource_changes": changes,
        "configuration": {"provider_config": providers, "root_module": root},
    }
    return document, blocks
