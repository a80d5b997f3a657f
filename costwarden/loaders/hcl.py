"""Terraform ``.tf`` files, read as Terraform reads them: one root module at a time, with its
variables, ``tfvars``, workspace, local and downloaded modules (``tf_evaluate``), put in the
plan's shape (``tf_shape``) and read by the plan reader, so a ``.tf`` tree and its plan mean
the same thing. Every resource points at its block's ``file:line``.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Mapping
from pathlib import Path

from costwarden.loaders.base import Loaded
from costwarden.loaders.terraform_plan import read_document
from costwarden.loaders.tf_evaluate import evaluate
from costwarden.loaders.tf_inputs import TerraformInputs, absolute
from costwarden.loaders.tf_manifests import embedded
from costwarden.loaders.tf_shape import shape
from costwarden.model import Location, Problem

NAME: str = "terraform-hcl"
PATTERNS: tuple[str, ...] = ("*.tf",)


def sniff(path: str, head: bytes) -> bool:
    return path.endswith(".tf")


def load(path: str, data: bytes) -> Loaded:
    """One ``.tf`` file given on its own: its folder is the root module, its resources the findings.
    A document held only in memory is evaluated as a root module of one file."""
    file = Path(path)
    if file.is_file() and file.read_bytes() == data:
        return load_root(file.parent, TerraformInputs(), asked={absolute(path): path})
    with tempfile.TemporaryDirectory(prefix="costwarden-tf-") as folder:
        (Path(folder) / "main.tf").write_bytes(data)
        loaded = load_root(Path(folder), TerraformInputs())
    return _renamed(loaded, str(Path(folder) / "main.tf"), path)


def load_root(root: Path, inputs: TerraformInputs, asked: Mapping[str, str] | None = None) -> Loaded:
    """A root module; with ``asked`` (absolute path -> name shown), only what those files declare is
    reported, under the names given (the rest is context)."""
    evaluated = evaluate(root, inputs)
    loaded = Loaded(errors=list(evaluated.problems))
    if not evaluated.evaluated:
        return loaded
    shaped = shape(evaluated)
    plan = read_document(str(root), shaped.document)
    for resource in plan.resources:
        location = shaped.locations.get(resource.address, resource.location)
        loaded.resources.append(
            dataclasses.replace(resource, location=location, document=str(root), source_format=NAME)
        )
    loaded.warnings.extend(shaped.warnings)
    loaded.warnings.extend(plan.warnings)
    loaded.errors.extend(plan.errors)
    for entry in shaped.not_evaluated:
        loaded.not_evaluated.append(entry)
        where = entry.location
        loaded.warnings.append(Problem(f"not evaluated: {entry.reason}", where.path, where.line, entry.name))
    manifests = embedded(loaded.resources)
    loaded.resources.extend(manifests.resources)
    loaded.warnings.extend(manifests.warnings)
    loaded.errors.extend(manifests.errors)
    loaded.not_evaluated.extend(manifests.not_evaluated)
    if asked is not None:
        _keep_asked(loaded, asked)
    return loaded


def _keep_asked(loaded: Loaded, asked: Mapping[str, str]) -> None:
    """Only findings in the asked files (absolute path -> the name the user gave), under that name."""

    def kept(path: str | None) -> bool:
        return path is None or absolute(path) in asked

    def named(location: Location) -> Location:
        return dataclasses.replace(location, path=asked[absolute(location.path)])

    loaded.resources = [
        dataclasses.replace(r, location=named(r.location)) for r in loaded.resources if kept(r.location.path)
    ]
    loaded.not_evaluated = [
        dataclasses.replace(n, location=named(n.location)) for n in loaded.not_evaluated if kept(n.location.path)
    ]
    loaded.warnings = [
        dataclasses.replace(w, path=asked[absolute(w.path)] if w.path else None)
        for w in loaded.warnings
        if kept(w.path)
    ]


def _renamed(loaded: Loaded, written: str, name: str) -> Loaded:
    def fix(path: str | None) -> str | None:
        return name if path == written else path

    loaded.resources = [
        dataclasses.replace(r, location=dataclasses.replace(r.location, path=name), document=name)
        for r in loaded.resources
    ]
    loaded.errors = [dataclasses.replace(p, path=fix(p.path)) for p in loaded.errors]
    loaded.warnings = [dataclasses.replace(p, path=fix(p.path)) for p in loaded.warnings]
    loaded.not_evaluated = [
        dataclasses.replace(n, location=dataclasses.replace(n.location, path=name)) for n in loaded.not_evaluated
    ]
    return loaded
