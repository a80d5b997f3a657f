"""Reading every input of a scan: files, directories, ``-`` and in-memory documents.

``.tf`` files are gathered across all inputs and evaluated by root module (``tf_roots``), each
root one input: a module folder is read through the roots that call it, with its module address
and its caller's variables and providers. A directory walk that finds a plan reads the plan, not
the ``.tf`` files beside and below it that it was made from.

With ``jobs`` above one and enough to read, the other files are shared out among that many
processes (``pool.shared_map``), each file whole in one of them, the results taken back in the
order given: the same results, in the same order, as one process reading them one by one.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from costwarden.engine.pool import shared_map
from costwarden.engine.tf_roots import plan_roots
from costwarden.errors import LoadError
from costwarden.loaders import LOADERS, Document, Loaded, expand, import_for, load_document
from costwarden.loaders.tf_inputs import TerraformInputs, absolute
from costwarden.model import Problem

Input = str | Path | Document


MAX_INPUT_BYTES = 512 << 20
"""The largest input read (``max_input_bytes`` in the config, ``--max-input-bytes``): a larger
file is an error before a byte of it is read, so memory stays bounded."""


def load_inputs(
    inputs: Iterable[Input],
    input_format: str | None,
    stdin: BinaryIO | None,
    max_bytes: int = MAX_INPUT_BYTES,
    terraform: TerraformInputs | None = None,
    skip_unrecognized: bool = False,
    jobs: int = 1,
) -> Iterator[tuple[str, Loaded]]:
    """Every input, in the order given; a ``.tf`` directory where its first file comes."""
    expanded: list[tuple[Input, list[tuple[str, bool]] | LoadError]] = []
    for item in inputs:
        if isinstance(item, Document) or str(item) == "-":
            expanded.append((item, []))
            continue
        missing = _not_a_path(item)
        if missing is not None:
            expanded.append((item, missing))
            continue
        try:
            expanded.append((item, list(expand([item]))))
        except LoadError as exc:
            expanded.append((item, exc))
    files = [file for _, found in expanded if isinstance(found, list) for file in found]
    as_hcl = input_format is None or LOADERS["terraform-hcl"].NAME in input_format.split(",")
    plan_dirs = {Path(path).parent for path, explicit in files if not explicit and _may_be_a_plan(path)}
    terraform_files = [
        (Path(path), explicit)
        for path, explicit in files
        if as_hcl and path.endswith(".tf") and (explicit or not _under_a_plan(Path(path), plan_dirs))
    ]
    directories = _load_tf(terraform_files, terraform or TerraformInputs(), jobs)
    read = _Read(input_format, max_bytes, skip_unrecognized)
    others = [file for file in files if not (as_hcl and file[0].endswith(".tf"))]
    pooled = _loaded_in_pool(read, others, jobs)
    for item, found in expanded:
        if isinstance(item, Document):
            yield item.name, _load_one(item.name, item.data, True, item.format or input_format, skip_unrecognized)
        elif str(item) == "-":
            data = (stdin or sys.stdin.buffer).read(max_bytes + 1)
            if len(data) > max_bytes:
                yield "<stdin>", Loaded(errors=[Problem(_too_large(max_bytes), path="<stdin>")])
            else:
                yield "<stdin>", _load_one("<stdin>", data, True, input_format)
        elif isinstance(found, LoadError):
            yield str(item), Loaded(errors=[Problem(found.message, path=found.path, line=found.line)])
        else:
            yield from _load_files(found, directories, as_hcl, read, pooled)


def _not_a_path(item: str | Path) -> LoadError | None:
    """An empty name, a path that is not there, or neither a file nor a folder (a FIFO, a
    device): said at once, whatever the name ends in, so nothing is scanned in its place."""
    if str(item) == "":
        return LoadError("an empty path names no input")
    path = Path(item)
    if not path.exists():
        return LoadError("no such file or directory", path=item)
    if not path.is_file() and not path.is_dir():
        return LoadError("not a regular file or a directory", path=item)
    return None


def _may_be_a_plan(path: str) -> bool:
    """JSON that may be a plan; Terraform's own JSON (variables, configuration) is not."""
    return path.endswith(".json") and not path.endswith((".tfvars.json", ".tf.json"))


def _under_a_plan(path: Path, plan_dirs: set[Path]) -> bool:
    """A ``.tf`` file in a plan's directory, or in a module folder below it."""
    return any(directory == path.parent or directory in path.parents for directory in plan_dirs)


def _too_large(max_bytes: int) -> str:
    return f"larger than {max_bytes:,} bytes (--max-input-bytes): not read"


def _read(path: str, max_bytes: int) -> bytes | Problem:
    """A regular file's bytes, never more than ``max_bytes`` (a FIFO or device is not read)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block the open
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            return Problem("not a regular file: not read", path=path)
        if info.st_size > max_bytes:
            return Problem(_too_large(max_bytes), path=path)
        data = stream.read(max_bytes + 1)
    return Problem(_too_large(max_bytes), path=path) if len(data) > max_bytes else data


@dataclass(frozen=True)
class _Read:
    """Reading and loading one named file; a worker of the pool runs it on its own."""

    input_format: str | None
    max_bytes: int
    skip_unrecognized: bool

    def __call__(self, file: tuple[str, bool]) -> Loaded:
        path, explicit = file
        try:
            data = _read(path, self.max_bytes)
        except OSError as exc:
            return Loaded(errors=[Problem(f"cannot read: {exc.strerror or type(exc).__name__}", path=path)])
        if isinstance(data, Problem):
            return Loaded(errors=[data])
        return _load_one(path, data, explicit, self.input_format, self.skip_unrecognized)


POOL_WORK = 8 << 20
"""Files are shared out among processes only when loading them is this much work (in bytes of
JSON, about 0.1 s): below it, starting the workers costs more than it saves."""


def _loaded_in_pool(read: _Read, files: list[tuple[str, bool]], jobs: int) -> Iterator[Loaded] | None:
    """Every file's result, in order, from ``jobs`` processes; ``None``: not worth a pool."""
    if jobs < 2 or len(files) < 2:
        return None
    work = [_work(path) for path, _ in files]
    if sum(work) < POOL_WORK:
        return None
    import_for(path for path, _ in files)
    return iter(shared_map(read, files, work, jobs))


def _work(path: str) -> int:
    try:
        size = Path(path).stat().st_size
    except OSError:
        size = 0  # said when it is read
    return FILE_COST + size * (YAML_COST if path.endswith((".yaml", ".yml")) else 1)


YAML_COST = 20
"""A byte of YAML takes about twenty times as long to load as a byte of a JSON plan (0.3 s
against 0.014 s a megabyte, measured on bench/gen_inputs.py's monorepo)."""

FILE_COST = 4096
"""Opening, sniffing and reporting a file, in bytes of JSON."""


def _load_files(
    files: list[tuple[str, bool]],
    directories: dict[str, list[_Root]],
    as_hcl: bool,
    read: _Read,
    pooled: Iterator[Loaded] | None,
) -> Iterator[tuple[str, Loaded]]:
    for path, explicit in files:
        if as_hcl and path.endswith(".tf"):
            for root in directories.pop(str(Path(path).parent), []):
                if not root.taken:
                    yield root.name, root.take()
            continue
        yield path, next(pooled) if pooled is not None else read((path, explicit))


class _Root:
    """A root module's result, reported once: where the first file it serves comes."""

    def __init__(self, name: str, loaded: Loaded):
        self.name = name
        self._loaded: Loaded | None = loaded

    @property
    def taken(self) -> bool:
        return self._loaded is None

    def take(self) -> Loaded:
        loaded, self._loaded = self._loaded, None
        return loaded if loaded is not None else Loaded()


def _load_tf(files: list[tuple[Path, bool]], terraform: TerraformInputs, jobs: int = 1) -> dict[str, list[_Root]]:
    """Scanned folder -> the roots it is reported through, each evaluated once."""
    if not files:
        return {}
    cwd = Path.cwd()
    by_folder: dict[Path, set[str]] = {}
    names: dict[Path, str] = {}
    walked: set[Path] = set()
    given: dict[str, str] = {}
    for path, explicit in files:
        folder = Path(absolute(path.parent))
        names[folder] = str(path.parent)
        given[absolute(path)] = str(path)
        by_folder.setdefault(folder, set()).add(absolute(path))
        if not explicit:
            walked.add(folder)
    plan = plan_roots(by_folder, walked, terraform.roots, cwd)

    def shown(root: Path) -> str:
        if root in names:
            return names[root]
        return os.path.relpath(root, cwd) if root == cwd or cwd in root.parents else str(root)

    roots = sorted(plan.roots)
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(roots)))) as pool:  # the evaluator releases the GIL
        from costwarden.loaders import hcl

        def load(root: Path) -> Loaded:
            asked = plan.roots[root]
            return hcl.load_root(Path(shown(root)), terraform, None if asked is None else {f: given[f] for f in asked})

        results = pool.map(load, roots)
        evaluated = {root: _Root(shown(root), loaded) for root, loaded in zip(roots, results, strict=True)}
    return {names[folder]: [evaluated[root] for root in plan.serves[folder]] for folder in by_folder}


def _load_one(
    name: str, data: bytes, explicit: bool, input_format: str | None, skip_unrecognized: bool = False
) -> Loaded:
    try:
        result = load_document(name, data, explicit=explicit, format=input_format, skip_unrecognized=skip_unrecognized)
    except LoadError as exc:
        return Loaded(errors=[Problem(exc.message, path=exc.path or name, line=exc.line)])
    return result
