"""JSON in and out at the speed of the input: orjson reads plans and writes reports.

A report goes to its stream as bytes when the stream has a binary buffer (a file, stdout), so
a large report is encoded once and never held again as text.
"""

from __future__ import annotations

from typing import Any, TextIO

import orjson

DecodeError = orjson.JSONDecodeError
"""Raised by :func:`loads`; a subclass of ``json.JSONDecodeError`` and ``ValueError``."""


def loads(data: bytes | str) -> Any:
    """The document in ``data``; NaN and Infinity are refused, as JSON has no such numbers."""
    return orjson.loads(data)


def dumps(document: Any, *, indent: bool = True) -> bytes:
    """UTF-8 JSON, two-space indented like ``json.dumps(indent=2, ensure_ascii=False)``."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 if indent else 0)


def write(document: Any, stream: TextIO) -> None:
    """``document`` as indented JSON and a newline, written to ``stream``."""
    encoded = dumps(document) + b"\n"
    buffer = getattr(stream, "buffer", None)
    if buffer is not None and getattr(stream, "encoding", "").lower().replace("-", "") == "utf8":
        stream.flush()
        buffer.write(encoded)
        buffer.flush()
        return
    stream.write(encoded.decode())


__all__ = ["DecodeError", "dumps", "loads", "write"]
