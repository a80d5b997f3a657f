"""Reading every input of a scan: files, directories, ``-`` and in-memory documents.

``.tf`` files are gathered across all inputs and read by directory, each directory one input;
a module that another scanned directory calls is read through that call, with its module
address. A directory walk that finds a plan reads the plan, not the ``.tf`` files beside and
below it that it was made from.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from costwarden.errors import LoadError
from costwarden.loaders import Document, Loaded, expand, hcl, load_document
from costwarden.loaders.hcl_module import parse_directory
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
    as_hcl = input_format in (None, hcl.NAME)
    plan_dirs = {Path(path).parent for path, explicit in files if not explicit and path.endswith(".json")}
    terraform = [
        (Path(path), explicit)
        for path, explicit in files
        if as_hcl and path.endswith(".tf") and (explicit or not _under_a_plan(Path(path), plan_dirs))
    ]
    directories = dict(_load_tf(terraform))
    for item, found in expanded:
        if isinstance(item, Document):
            yield item.name, _load_one(item.name, item.data, True, item.format or input_format)
        elif str(item) == "-":
            data = (stdin or sys.stdin.buffer).read(max_bytes + 1)
            if len(data) > max_bytes:
                yield "<stdin>", Loaded(errors=[Problem(_too_large(max_bytes), path="<stdin>")])
            else:
                yield "<stdin>", _load_one("<stdin>", data, True, input_format)
        elif isinstance(found, LoadError):
            yield str(item), Loaded(errors=[Problem(found.message, path=found.path, line=found.line)])
        else:
            yield from _load_files(found, directories, as_hcl, input_format, max_bytes)


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


def _load_files(
    files: list[tuple[str, bool]],
    directories: dict[str, Loaded],
    as_hcl: bool,
    input_format: str | None,
    max_bytes: int,
) -> Iterator[tuple[str, Loaded]]:
    for path, explicit in files:
        if as_hcl and path.endswith(".tf"):
            directory = str(Path(path).parent)
            if directory in directories:
                yield directory, directories.pop(directory)
            continue
        try:
            data = _read(path, max_bytes)
            if isinstance(data, Problem):
                yield path, Loaded(errors=[data])
                continue
        except OSError as exc:
            yield path, Loaded(errors=[Problem(f"cannot read: {exc.strerror or type(exc).__name__}", path=path)])
            continue
        yield path, _load_one(path, data, explicit, input_format)


def _load_tf(files: list[tuple[Path, bool]]) -> Iterator[tuple[str, Loaded]]:
    modules = {directory: parse_directory(directory) for directory in sorted({path.parent for path, _ in files})}
    called = hcl.called_directories(modules.values())
    for directory, module in modules.items():
        if directory.resolve() in called:
            continue
        loaded = hcl.load_directory(directory, module=module)
        if any(is_explicit and path.parent == directory for path, is_explicit in files):
            # a file named on its own: its directory is context, the files asked for are the findings
            asked = {str(path) for path, _ in files}
            loaded.resources = [r for r in loaded.resources if r.location.path in asked]
        yield str(directory), loaded


def _load_one(name: str, data: bytes, explicit: bool, input_format: str | None) -> Loaded:
    try:
        result = load_document(name, data, explicit=explicit, format=input_format)
    except LoadError as exc:
        return Loaded(errors=[Problem(exc.message, path=exc.path or name, line=exc.line)])
    return result
