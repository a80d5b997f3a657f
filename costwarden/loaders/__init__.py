"""Input formats. Each loader is a module satisfying ``Loader``, listed in ``LOADERS`` and
imported when it is first asked to sniff or load: a plan scan never imports the HCL reader."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from costwarden.errors import LoadError
from costwarden.loaders.base import Loaded, Loader
from costwarden.model import Problem, Skipped

SNIFF_BYTES = 64 * 1024


@dataclass
class _Registered:
    """A loader module by name and patterns, imported on first use (a test holds both equal
    to the module's own ``NAME`` and ``PATTERNS``)."""

    NAME: str
    PATTERNS: tuple[str, ...]
    module_name: str

    @property
    def module(self) -> Loader:
        loader: Loader = importlib.import_module(f"costwarden.loaders.{self.module_name}")
        return loader

    def sniff(self, path: str, head: bytes) -> bool:
        return self.module.sniff(path, head)

    def load(self, path: str, data: bytes) -> Loaded:
        return self.module.load(path, data)


LOADERS: dict[str, Loader] = {  # in the order they sniff
    "terraform-plan": _Registered("terraform-plan", ("*.json",), "terraform_plan"),
    "sagemaker": _Registered("sagemaker", ("*.json", "*.yaml", "*.yml", "*.template"), "sagemaker"),
    "kubernetes": _Registered("kubernetes", ("*.yaml", "*.yml"), "kubernetes"),
    "terraform-hcl": _Registered("terraform-hcl", ("*.tf",), "hcl"),
}


@dataclass(frozen=True)
class Document:
    """An input held in memory: ``name`` is how reports refer to it."""

    name: str
    data: bytes
    format: str | None = None


def import_for(paths: Iterable[str]) -> None:
    """Import now every loader that may read one of ``paths`` (before forking workers, so that
    each starts with them rather than importing its own copy)."""
    names = {f"x{Path(path).suffix}" for path in paths}  # every pattern is *.suffix
    for loader in LOADERS.values():
        if isinstance(loader, _Registered) and any(Path(n).match(p) for p in loader.PATTERNS for n in names):
            _ = loader.module


def loader_named(name: str) -> Loader:
    try:
        return LOADERS[name]
    except KeyError:
        known = ", ".join(sorted(LOADERS))
        raise LoadError(f"unknown input format {name!r} (one of: {known})") from None


def detect(path: str, head: bytes) -> Loader | None:
    for loader in LOADERS.values():
        if loader.sniff(path, head):
            return loader
    return None


def fallback_for(path: str) -> Loader | None:
    """The loader whose error message will be most useful for a file nobody sniffed."""
    for loader in LOADERS.values():
        if any(Path(path).match(pattern) for pattern in loader.PATTERNS):
            return loader
    return None


def expand(paths: Iterable[str | Path]) -> Iterator[tuple[str, bool]]:
    """Each input file as ``(path, explicit)``; directories are walked for known patterns."""
    for raw in paths:
        path = Path(raw)
        if str(raw) == "-" or not path.is_dir():
            yield str(raw), True
            continue
        found = sorted(
            {
                candidate
                for loader in LOADERS.values()
                for pattern in loader.PATTERNS
                for candidate in path.rglob(pattern)
                if candidate.is_file() and not _hidden(candidate, path)
            }
        )
        if not found:
            raise LoadError(f"no inputs found (looked for {_patterns()})", path=path)
        for candidate in found:
            yield str(candidate), False


def _hidden(candidate: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in candidate.relative_to(root).parts)


def _patterns() -> str:
    return ", ".join(sorted({p for loader in LOADERS.values() for p in loader.PATTERNS}))


_OWN_REPORT = re.compile(rb'"(?:tool|driver)"\s*:\s*\{\s*"name"\s*:\s*"costwarden"')


def own_report(data: bytes) -> bool:
    """A JSON or SARIF report costwarden wrote (``-o json=report.json`` in the scanned folder)."""
    return data.lstrip()[:1] == b"{" and _OWN_REPORT.search(data[:4096]) is not None


def load_document(
    name: str, data: bytes, *, explicit: bool = True, format: str | None = None, skip_unrecognized: bool = False
) -> Loaded:
    """Load one document. A file found by walking a folder that is in no format we read (or is
    one of costwarden's own reports) is skipped, and says so; a file named on its own is an error,
    unless ``skip_unrecognized`` (pre-commit names every JSON file of a commit): then it is
    skipped and counted too. ``format``: one format every input is read as, or, with
    ``skip_unrecognized``, a comma-separated list of the formats to read, the rest skipped."""
    formats = [f for f in (format or "").split(",") if f]
    if not formats and own_report(data):
        if explicit and not skip_unrecognized:
            return Loaded(errors=[Problem("a costwarden report, not an input to scan", path=name)])
        return Loaded(skipped=[Skipped(name, "a costwarden report")])
    loader: Loader | None
    if len(formats) == 1 and not skip_unrecognized:
        loader = loader_named(formats[0])
    else:
        loader = detect(name, data[:SNIFF_BYTES])
        if loader is not None and formats and loader.NAME not in formats:
            if skip_unrecognized:
                return Loaded(skipped=[Skipped(name, f"a {loader.NAME} input; this run reads {', '.join(formats)}")])
            loader = None
    if loader is None and skip_unrecognized:
        return Loaded(skipped=[Skipped(name, "not a recognized input (--skip-unrecognized)")])
    if loader is None and explicit:
        loader = fallback_for(name)
        if loader is None:
            return Loaded(errors=[Problem(f"not a supported input (formats: {', '.join(LOADERS)})", path=name)])
    if loader is None:
        return Loaded(skipped=[Skipped(name, "not a recognized input")])
    try:
        return loader.load(name, data)
    except RecursionError:  # a document nested deeper than any walk of it can go
        return Loaded(errors=[Problem("nested too deeply to read", path=name)])


__all__: Sequence[str] = (
    "LOADERS",
    "Document",
    "Loaded",
    "Loader",
    "detect",
    "expand",
    "load_document",
    "loader_named",
)
