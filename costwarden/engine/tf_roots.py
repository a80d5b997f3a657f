"""Which root modules to evaluate for the ``.tf`` files of a scan.

Terraform evaluates root modules, never files: a file in ``modules/batch`` means something
only with the variables, providers and ``default_tags`` of a root that calls it. So each folder
of ``.tf`` files is evaluated through the roots that use it, found in the repository it belongs
to (the nearest folder above holding ``.git``, else the working folder). A root is a folder
named in config ``terraform.roots``, one holding a ``provider``, backend or ``cloud`` block
(only root modules configure those), or one that no other folder of the repository calls as a
local module. A folder no root uses is evaluated on its own.

When a folder is evaluated through a root found outside the scan, only what that folder's
files declare is reported; a root scanned whole reports everything it evaluates, downloaded
modules included. Local calls are read from the text (``source = "./..."``), which is enough to
know who calls whom; the evaluation itself is tfparse's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from costwarden.loaders.tf_inputs import absolute

_LOCAL_SOURCE = re.compile(rb'^[ \t]*source[ \t]*=[ \t]*"(\.\.?/[^"]*)"', re.M)
MAX_FOLDERS = 20_000
"""Folders walked to find a repository's roots; a larger tree is searched no further."""
MAX_DEPTH = 10


@dataclass
class RootPlan:
    roots: dict[Path, set[str] | None] = field(default_factory=dict)
    """Root folder -> the files whose findings are reported (``None``: all it evaluates)."""
    serves: dict[Path, list[Path]] = field(default_factory=dict)
    """Scanned folder -> the roots it is reported through."""


class _Graph:
    """Local module calls between folders, read once per folder."""

    def __init__(self) -> None:
        self._calls: dict[Path, set[Path]] = {}

    def calls(self, folder: Path) -> set[Path]:
        if folder not in self._calls:
            found: set[Path] = set()
            for path in folder.glob("*.tf"):
                try:
                    text = path.read_bytes()
                except OSError:
                    continue
                for match in _LOCAL_SOURCE.finditer(text):
                    target = Path(os.path.normpath(folder / match.group(1).decode("utf-8", "replace")))
                    if target != folder and target.is_dir():
                        found.add(target)
            self._calls[folder] = found
        return self._calls[folder]

    def closure(self, folder: Path) -> set[Path]:
        """The folder and every folder it calls, directly or through other modules."""
        seen = {folder}
        frontier = [(folder, 0)]
        while frontier:
            current, depth = frontier.pop()
            if depth >= MAX_DEPTH:
                continue
            for target in self.calls(current):
                if target not in seen:
                    seen.add(target)
                    frontier.append((target, depth + 1))
        return seen


def repository_of(folder: Path, cwd: Path) -> Path:
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return cwd if cwd == folder or cwd in folder.parents else folder


def _tf_folders(base: Path) -> Iterable[Path]:
    for walked, (current, dirs, files) in enumerate(os.walk(base)):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
        if walked >= MAX_FOLDERS:
            return
        if any(name.endswith(".tf") for name in files):
            yield Path(current)


def plan_roots(
    folders: Mapping[Path, set[str]],
    walked: set[Path],
    configured: Iterable[Path] = (),
    cwd: Path | None = None,
) -> RootPlan:
    """``folders``: each scanned folder (absolute) -> its scanned files; ``walked``: folders found
    by walking a scanned directory (a root among them is reported whole)."""
    cwd = cwd or Path.cwd()
    graph = _Graph()
    named = {Path(absolute(p)) for p in configured}
    by_base: dict[Path, tuple[set[Path], set[Path]]] = {}
    called_in_scan = {target for f in folders for target in graph.closure(f) if target != f}

    def is_root(folder: Path, called: set[Path]) -> bool:
        return folder in named or folder not in called or _declares_root(folder)

    def roots_for(folder: Path) -> list[Path]:
        if folder in named or _declares_root(folder):
            return [folder]
        base = repository_of(folder, cwd)
        if base not in by_base:
            found = set(_tf_folders(base))
            called = {target for f in found for target in graph.closure(f) if target != f}
            by_base[base] = ({f for f in found if is_root(f, called)} | named, called)
        roots, called = by_base[base]
        scanned_tops = {f for f in folders if is_root(f, called | called_in_scan)}
        candidates = sorted(root for root in roots | scanned_tops if is_root(root, called_in_scan))
        return [root for root in candidates if folder in graph.closure(root)] or [folder]

    result = RootPlan()
    for folder, files in sorted(folders.items()):
        roots = roots_for(folder)
        result.serves[folder] = roots
        for root in roots:
            if root in walked:
                result.roots[root] = None  # scanned whole: all it evaluates
            else:
                reported = result.roots.get(root, set())
                if reported is not None:
                    result.roots[root] = reported | files
    return result


_ROOT_BLOCK = re.compile(rb'^[ \t]*(provider[ \t]+"[^"]+"[ \t]*\{|backend[ \t]+"|cloud[ \t]*\{)', re.M)


def _declares_root(folder: Path) -> bool:
    """A provider configuration, a backend or HCP Terraform settings: only root modules hold them."""
    for path in folder.glob("*.tf"):
        try:
            if _ROOT_BLOCK.search(path.read_bytes()):
                return True
        except OSError:
            continue
    return False
