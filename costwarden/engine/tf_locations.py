"""Plan findings point at the ``.tf`` block that declared the resource.

The configuration directory is the one given (``--tf-dir``) or, the usual layout, the plan
file's own directory when it holds ``.tf`` files. Local modules are followed, so
``module.batch.aws_eks_node_group.gpu["a"]`` points into ``modules/batch/main.tf``.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence
from pathlib import Path

from costwarden.loaders.hcl import is_local
from costwarden.loaders.hcl_module import Block, parse_directory
from costwarden.model import Location, Resource

_MODULE_PREFIX = re.compile(r'^((?:module\.[^.\[]+(?:\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\])?\.)*)')
_INDEX = re.compile(r"\[[^\]]*\]$")
MAX_DEPTH = 10


def index_blocks(directory: Path) -> dict[tuple[tuple[str, ...], str], Block]:
    found: dict[tuple[tuple[str, ...], str], Block] = {}
    pending: list[tuple[Path, tuple[str, ...]]] = [(directory, ())]
    seen: set[Path] = set()
    while pending:
        folder, path = pending.pop()
        if folder.resolve() in seen or len(path) > MAX_DEPTH:
            continue
        seen.add(folder.resolve())
        module = parse_directory(folder)
        for block in module.resources:
            found[(path, ".".join(block.labels))] = block
        for call in module.module_calls:
            source = call.body.get("source")
            if is_local(source):
                pending.append((Path(os.path.normpath(folder / str(source))), (*path, call.labels[0])))
    return found


def point_at_tf(resources: Sequence[Resource], tf_dir: Path | None) -> list[Resource]:
    indexes: dict[Path, dict[tuple[tuple[str, ...], str], Block]] = {}
    mapped = []
    for resource in resources:
        if resource.source_format != "terraform-plan":
            mapped.append(resource)
            continue
        directory = tf_dir or Path(resource.location.path).parent
        if directory not in indexes:
            indexes[directory] = index_blocks(directory) if any(directory.glob("*.tf")) else {}
        block = indexes[directory].get(_config_address(resource.address))
        if block is None:
            mapped.append(resource)
            continue
        location = Location(block.path, block.line, block.end_line)
        mapped.append(
            dataclasses.replace(resource, location=location, document=resource.document or resource.location.path)
        )
    return mapped


def _config_address(address: str) -> tuple[tuple[str, ...], str]:
    prefix = _MODULE_PREFIX.match(address)
    modules = prefix.group(1) if prefix else ""
    local = _INDEX.sub("", address[len(modules) :])
    path = tuple(re.findall(r"module\.([^.\[]+)", modules))
    return path, local
