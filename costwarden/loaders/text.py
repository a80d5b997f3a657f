"""Bytes to text, one rule for every loader: UTF-8 (a BOM allowed), UTF-16 and UTF-32 only
behind their BOM, anything else an error naming the first bad byte. Never a silent guess."""

from __future__ import annotations

import codecs
import json
from typing import Any

from costwarden import jsonio
from costwarden.errors import LoadError

BOMS = (  # UTF-32 first: its little-endian BOM begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def encoding_of(data: bytes) -> str:
    return next((encoding for bom, encoding in BOMS if data.startswith(bom)), "utf-8")


def decode_text(path: str, data: bytes) -> str:
    encoding = encoding_of(data)
    if encoding == "utf-8" and (nul := data.find(b"\x00")) >= 0:  # valid UTF-8, but not text
        line = data.count(b"\n", 0, nul) + 1
        hint = " (UTF-16 or UTF-32 without a byte order mark?)" if nul < 4 else ""
        raise LoadError(f"not UTF-8 text (byte 0x00 at offset {nul}){hint}", path=path, line=line)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise not_text(path, data, encoding, exc) from None


def not_text(path: str, data: bytes, encoding: str, exc: UnicodeDecodeError) -> LoadError:
    """``FILE:LINE: not UTF-8 text (byte 0xE9 at offset 14)``."""
    name = encoding.removesuffix("-sig").upper()
    if encoding != "utf-8" and encoding != "utf-8-sig":
        return LoadError(f"not {name} text (after its byte order mark)", path=path)
    line = data.count(b"\n", 0, exc.start) + 1
    return LoadError(f"not {name} text (byte 0x{data[exc.start]:02X} at offset {exc.start})", path=path, line=line)


def no_constants(name: str) -> Any:
    """``NaN`` and ``Infinity`` are not JSON (Python's parser accepts them): refuse them."""
    raise ValueError(f"{name} is not a JSON number")


def load_json(path: str, text: str | bytes) -> Any:
    """JSON with every failure a ``LoadError``: syntax (with its line), numbers of more digits
    than Python converts, nesting deeper than the interpreter's stack."""
    try:
        return jsonio.loads(text)
    except jsonio.DecodeError:
        pass  # the standard library's reading says why, with line and column
    try:
        return json.loads(text, parse_constant=no_constants)
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON: {exc.msg.lower()}", path=path, line=exc.lineno) from None
    except RecursionError:
        raise LoadError("invalid JSON: nested too deeply to read", path=path) from None
    except ValueError as exc:  # "Exceeds the limit (4300 digits) for integer string conversion"
        raise LoadError(f"invalid JSON: {str(exc).splitlines()[0]}", path=path) from None
