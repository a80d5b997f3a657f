"""A Terraform root module evaluated by tfparse: the HCL evaluator Trivy uses, bound by
Cloud Custodian. It expands ``count``, ``for_each`` and ``dynamic`` blocks, fills in variables,
locals and functions, and reads local modules and those ``terraform init`` downloaded
(``.terraform/modules/modules.json``); it never downloads anything.

Variables come as Terraform takes them, lowest precedence first: ``TF_VAR_*``, the root's
``terraform.tfvars`` and ``terraform.tfvars.json``, ``*.auto.tfvars`` and ``*.auto.tfvars.json``
in name order, ``--var-file`` in order, ``--var``. Values given as strings (the environment and
``--var``) are written to a private file for the evaluator and removed at once.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from costwarden.loaders.tf_inputs import TerraformInputs
from costwarden.model import Problem

MAX_TF_BYTES = 8 << 20
"""A larger ``.tf`` file is refused with its root; real ones are kilobytes."""
_LOCATED = re.compile(
    r"(?P<file>[^\s:]+\.(?:tf|tfvars|tf\.json|tfvars\.json)):(?P<line>\d+),\d+(?:-[\d,]+)?: (?P<why>.+)"
)
_PREFIX = "unable to create TerraformConverter: "
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_BLOCK_LINE = re.compile(rb"^\s*(resource|data|module|provider|variable|locals|output|terraform)\b", re.M)


@dataclass
class Evaluated:
    root: Path
    blocks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    evaluated: bool = True
    """False when the evaluator refused the root as a whole (a bad tfvars file, say)."""


def var_files(root: Path, inputs: TerraformInputs) -> list[Path]:
    """The variable files Terraform reads for ``root``, in precedence order."""
    found = [root / name for name in ("terraform.tfvars", "terraform.tfvars.json") if (root / name).is_file()]
    found += sorted(p for p in root.iterdir() if p.is_file() and p.name.endswith((".auto.tfvars", ".auto.tfvars.json")))
    return [*found, *inputs.var_files]


def evaluate(root: Path, inputs: TerraformInputs) -> Evaluated:
    """Every block of the root module and the modules it calls; problems name file and line."""
    result = Evaluated(root)
    try:
        import tfparse
    except ImportError:  # the wheel is built for Linux and macOS; pip refuses other platforms
        result.evaluated = False
        result.problems.append(Problem("cannot evaluate .tf files: tfparse is not installed", path=str(root)))
        return result
    too_large = [p for p in root.glob("*.tf") if p.stat().st_size > MAX_TF_BYTES]
    if too_large:
        result.evaluated = False
        reason = f"larger than {MAX_TF_BYTES >> 20} MiB: a .tf file this size is not read"
        result.problems.extend(Problem(reason, path=str(p)) for p in too_large)
        return result
    with _string_values(inputs) as (lowest, highest):
        paths = [*lowest, *var_files(root, inputs), *highest]
        relative = [os.path.relpath(p, root) for p in paths]
        options: dict[str, Any] = {
            "allow_downloads": False,
            "workspace_name": inputs.workspace,
            "vars_paths": relative,
        }
        try:
            result.blocks = tfparse.load_from_path(str(root), stop_on_hcl_error=True, **options)
            return result
        except RecursionError:  # the evaluator's JSON is as deep as the HCL
            result.evaluated = False
            result.problems.append(Problem("nested too deeply to read", path=_deepest(root)))
            return result
        except tfparse.ParseError as exc:
            first = _problem(root, str(exc), {rel: str(p) for rel, p in zip(relative, paths, strict=True)})
        result.problems.append(first)
        try:  # the rest of the root still counts: evaluate what parses
            result.blocks = tfparse.load_from_path(str(root), stop_on_hcl_error=False, **options)
        except tfparse.ParseError:
            result.evaluated = False
            return result
    result.problems.extend(_dropped(root, result.blocks, {first.path}))
    return result


def _problem(root: Path, message: str, var_paths: Mapping[str, str]) -> Problem:
    text = message.removeprefix(_PREFIX).strip()
    # the innermost location is the last one ("failed to load tfvars from x: x:1,8-2,1: ...")
    located = next(reversed(list(_LOCATED.finditer(text))), None)
    if located is None:
        return Problem(f"cannot evaluate: {text.splitlines()[0][:200]}", path=str(root))
    name = located.group("file")
    path = var_paths.get(name) or str(Path(os.path.normpath(root / name)))
    return Problem(f"invalid HCL: {located.group('why').strip()[:200]}", path=path, line=int(located.group("line")))


def _dropped(root: Path, blocks: Mapping[str, list[dict[str, Any]]], reported: set[str | None]) -> Iterator[Problem]:
    """Files of the root the evaluator left out without a word: they did not parse either."""
    seen = {str(root / entry["__tfmeta"]["filename"]) for entries in blocks.values() for entry in entries}
    for path in sorted(root.glob("*.tf")):
        if str(path) in seen or str(path) in reported:
            continue
        if _BLOCK_LINE.search(path.read_bytes()):
            yield Problem("invalid HCL: the file does not parse, so nothing in it is evaluated", path=str(path))


def _deepest(root: Path) -> str:
    """The file of the root whose brackets nest deepest: the one that overflowed."""

    def depth(path: Path) -> int:
        deepest = level = 0
        for char in path.read_bytes():
            if char in b"[{(":
                level += 1
                deepest = max(deepest, level)
            elif char in b"]})":
                level -= 1
        return deepest

    files = sorted(root.glob("*.tf"))
    return str(max(files, key=depth)) if files else str(root)


@contextmanager
def _string_values(inputs: TerraformInputs) -> Iterator[tuple[list[Path], list[Path]]]:
    """``TF_VAR_*`` and ``--var`` values as two variable files, removed when the evaluation ends."""
    if not inputs.environment and not inputs.variables:
        yield [], []
        return
    with tempfile.TemporaryDirectory(prefix="costwarden-vars-") as folder:
        written: list[list[Path]] = [[], []]
        for index, values in enumerate((inputs.environment, inputs.variables)):
            if values:
                path = Path(folder) / f"{index}.tfvars"
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                    stream.writelines(
                        f"{name} = {_hcl_value(value)}\n" for name, value in values.items() if _NAME.match(name)
                    )
                written[index].append(path)
        yield written[0], written[1]


def _hcl_value(value: str) -> str:
    """As Terraform reads ``-var`` and ``TF_VAR_``: a list or map is an HCL expression, else a string."""
    if value.lstrip().startswith(("[", "{")):
        return value
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")
