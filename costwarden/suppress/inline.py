"""The inline ignores that apply to a resource, from wherever its input keeps them.

``.tf`` blocks (and plan resources mapped to them, module and ``count``/``for_each``
instances included): comments on the lines directly above the block and inside it.
Kubernetes: the ``costwarden.io/ignore`` annotation. SageMaker and CloudFormation (and any
tagged resource): the ``costwarden:ignore`` tag.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from costwarden.model import Problem, Resource
from costwarden.suppress.directives import (
    ANNOTATION,
    TAG,
    DirectiveError,
    Ignore,
    checkov_skip,
    comment_ignore,
    value_ignores,
)

_COMMENT_STARTS = ("#", "//", "/*", "*")


class SourceLines:
    """Each ``.tf`` file read once per scan."""

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self._files:
            try:
                self._files[path] = Path(path).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                self._files[path] = None
        return self._files[path]


def _block_lines(lines: list[str], first: int, last: int | None) -> list[int]:
    """1-based numbers of the comment lines above a block, then the block's own lines."""
    above = []
    number = first - 1
    while number >= 1 and lines[number - 1].strip().startswith(_COMMENT_STARTS):
        above.append(number)
        number -= 1
    end = min(last or first, len(lines))
    return [*reversed(above), *range(first, end + 1)]


def _from_tf(resource: Resource, sources: SourceLines, problems: list[Problem]) -> list[Ignore]:
    where = resource.location
    if not where.path.endswith(".tf") or where.line is None:
        return []
    lines = sources.lines(where.path)
    if lines is None:
        return []
    ignores = []
    for number in _block_lines(lines, where.line, where.end_line):
        source = f"{where.path}:{number}"
        try:
            ignore = comment_ignore(lines[number - 1], source)
        except DirectiveError as exc:
            problems.append(Problem(f"costwarden:ignore: {exc}", where.path, number))
            continue
        ignore = ignore or checkov_skip(lines[number - 1], source)
        if ignore is not None:
            ignores.append(ignore)
    return ignores


def _annotation(resource: Resource) -> Any:
    metadata = resource.attributes.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    return annotations.get(ANNOTATION) if isinstance(annotations, dict) else None


def ignores_for(resource: Resource, sources: SourceLines, problems: list[Problem]) -> list[Ignore]:
    ignores = _from_tf(resource, sources, problems)
    where = resource.location
    for kind, value in (("annotation", _annotation(resource)), ("tag", resource.tags.get(TAG))):
        if not isinstance(value, str):
            continue
        try:
            ignores.extend(value_ignores(value, str(where)))
        except DirectiveError as exc:
            problems.append(Problem(f"costwarden:ignore {kind}: {exc}", where.path, where.line, resource.address))
    return ignores
