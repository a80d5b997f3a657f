"""Everything outside the process that a command touches, passed in so tests can set it."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

from costwarden import escape


def one_line(text: object) -> str:
    """Safe on a terminal: control characters (newlines, escapes) shown as ``\\xNN``."""
    return escape.terminal(text)


@dataclass(frozen=True)
class World:
    stdout: TextIO
    stderr: TextIO
    stdin: BinaryIO
    environ: Mapping[str, str]
    cwd: Path
    today: Callable[[], dt.date] = dt.date.today

    @classmethod
    def real(cls) -> World:
        return cls(sys.stdout, sys.stderr, sys.stdin.buffer, os.environ, Path.cwd())

    def path(self, given: str | Path) -> Path:
        """A path the user typed, resolved against this world's working folder."""
        path = Path(given)
        return path if path.is_absolute() else self.cwd / path

    def shown(self, given: str) -> str:
        """An input path as reports show it: as typed, unless the working folder is injected."""
        if given == "-" or Path(given).is_absolute() or self.cwd.resolve() == Path.cwd().resolve():
            return given
        return str(self.cwd / given)

    def say(self, kind: str, message: object) -> None:
        """``costwarden: error: ...`` (or warning) on stderr, one line."""
        print(f"costwarden: {kind}: {one_line(message)}", file=self.stderr)

    @property
    def width(self) -> int:
        columns = int(self.environ.get("COLUMNS", "0") or 0)
        return columns or (os.get_terminal_size().columns if self.stdout.isatty() else 120)

    def color(self, requested: bool | None = None) -> bool:
        if requested is not None:
            return requested
        return self.stdout.isatty() and "NO_COLOR" not in self.environ
