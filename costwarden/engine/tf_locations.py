"""Plan findings point at the ``.tf`` block that declared the resource.

The configuration directory is the one given (``--tf-dir``) or, the usual layout, the plan
file's own directory when it holds ``.tf`` files. It is evaluated as a root module, so local and
downloaded modules are followed: ``module.batch.aws_eks_node_group.gpu["a"]`` points into
``modules/batch/main.tf``. An instance the evaluation could not expand (a ``for_each`` over an
apply-time value) still finds its block by its configuration address.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path

from costwarden.loaders.tf_evaluate import evaluate
from costwarden.loaders.tf_inputs import TerraformInputs
from costwarden.loaders.tf_shape import declared_blocks, shape
from costwarden.model import Location, Resource

_INDEX = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]')


def config_address(address: str) -> str:
    """``module.a["x"].aws_instance.b[0]`` -> ``module.a.aws_instance.b``."""
    return _INDEX.sub("", address)


def index_blocks(directory: Path) -> dict[str, Location]:
    """Instance and configuration address -> the block that declares it."""
    shaped = shape(evaluate(directory, TerraformInputs()))
    found: dict[str, Location] = {}
    folders = [("", directory)] + [(c.address + ".", c.directory) for c in shaped.calls if c.directory is not None]
    for prefix, folder in folders:
        for kind, address, location in declared_blocks(folder):
            if kind == "resource":
                found.setdefault(prefix + address, location)
    for address, location in shaped.locations.items():
        found[address] = location
        found[config_address(address)] = location
    return found


def point_at_tf(resources: Sequence[Resource], tf_dir: Path | None) -> list[Resource]:
    indexes: dict[Path, dict[str, Location]] = {}
    mapped = []
    for resource in resources:
        if resource.source_format != "terraform-plan":
            mapped.append(resource)
            continue
        directory = tf_dir or Path(resource.location.path).parent
        if directory not in indexes:
            indexes[directory] = index_blocks(directory) if any(directory.glob("*.tf")) else {}
        index = indexes[directory]
        location = index.get(resource.address) or index.get(config_address(resource.address))
        if location is None:
            mapped.append(resource)
            continue
        mapped.append(
            dataclasses.replace(resource, location=location, document=resource.document or resource.location.path)
        )
    return mapped


def read_once(resources: Sequence[Resource]) -> list[Resource]:
    """A plan and the ``.tf`` it was made from, scanned together (``paths: .`` beside a plan):
    a ``.tf`` resource at the very block a plan resource of the same address points at is the
    same resource, read through the plan; it is counted once, as the plan's."""
    formats = {r.source_format for r in resources}
    if not {"terraform-plan", "terraform-hcl"} <= formats:
        return list(resources)
    resolved: dict[str, str] = {}

    def block(r: Resource) -> tuple[str, str, int]:
        path = r.location.path
        if path not in resolved:
            resolved[path] = str(Path(path).resolve())
        return r.address, resolved[path], r.location.line

    planned = {block(r) for r in resources if r.source_format == "terraform-plan"}
    return [r for r in resources if r.source_format != "terraform-hcl" or block(r) not in planned]
