"""Reading ``terraform show -json`` output as it is found in the wild.

Handles UTF-8 and UTF-16 byte-order marks (plans saved by PowerShell), the noise that
``hashicorp/setup-terraform``'s wrapper prints around the JSON, and maps each resource
address to the line of the plan file where its ``resource_changes`` entry starts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from costwarden import jsonio
from costwarden.errors import LoadError
from costwarden.gcpause import gc_paused
from costwarden.loaders.text import encoding_of, no_constants, not_text

_WRAPPER_LINE = re.compile(r"^(\[command\]|::[a-z-]+|%0A)")
_ADDRESS = re.compile(rb'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')
WRAPPER_HINT = (
    "stripped hashicorp/setup-terraform wrapper output around the JSON "
    "(set terraform_wrapper: false, or use terraform-bin, to get plain JSON)"
)


@dataclass(frozen=True)
class PlanText:
    document: Any
    raw: bytes
    """The JSON bytes as UTF-8, for mapping addresses to lines."""
    first_line: int = 1
    """Line of the file on which the JSON starts (after wrapper noise)."""
    wrapped: bool = False


def read_json(path: str, data: bytes) -> PlanText:
    if not data.strip():
        raise LoadError("empty file", path=path)
    encoding = encoding_of(data)
    if encoding == "utf-8" and _json_starts(data.lstrip()[:16].decode("latin-1")):
        with gc_paused():
            try:
                return PlanText(jsonio.loads(data), data)
            except jsonio.DecodeError:
                pass  # the standard library's reading says why, with line and column
        try:
            with gc_paused():
                return PlanText(json.loads(data, parse_constant=no_constants), data)
        except UnicodeDecodeError as exc:
            raise not_text(path, data, "utf-8", exc) from None
        except RecursionError:
            raise LoadError("invalid JSON: nested too deeply to read", path=path) from None
        except json.JSONDecodeError as exc:
            if exc.msg != "Extra data":
                raise LoadError(_json_reason(exc), path=path, line=exc.lineno) from None
        except ValueError as exc:  # more digits than Python converts
            raise LoadError(f"invalid JSON: {str(exc).splitlines()[0]}", path=path) from None
    return _read_decoded(path, data, encoding)


def _read_decoded(path: str, data: bytes, encoding: str) -> PlanText:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise not_text(path, data, encoding, exc) from None
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and not _json_starts(lines[start].lstrip()):
        if not _WRAPPER_LINE.match(lines[start].lstrip()):
            snippet = lines[start].strip()[:40]
            raise LoadError(f"not JSON: starts with {snippet!r}", path=path, line=start + 1)
        start += 1
    body = "".join(lines[start:])
    try:
        with gc_paused():
            document, end = json.JSONDecoder(parse_constant=no_constants).raw_decode(body)
    except json.JSONDecodeError as exc:
        raise LoadError(_json_reason(exc), path=path, line=start + exc.lineno) from None
    except RecursionError:
        raise LoadError("invalid JSON: nested too deeply to read", path=path) from None
    except ValueError as exc:
        raise LoadError(f"invalid JSON: {str(exc).splitlines()[0]}", path=path) from None
    trailing = [line.strip() for line in body[end:].splitlines() if line.strip()]
    unexpected = [line for line in trailing if not _WRAPPER_LINE.match(line)]
    if unexpected:
        line = start + body[:end].count("\n") + 1
        raise LoadError(f"unexpected text after the JSON: {unexpected[0][:40]!r}", path=path, line=line)
    wrapped = start > 0 or bool(trailing)
    return PlanText(document, body[:end].encode("utf-8"), first_line=start + 1, wrapped=wrapped)


def _json_starts(line: str) -> bool:
    """A JSON document starts here, as opposed to a wrapper line such as ``[command]...``."""
    return line.startswith("{") or (line.startswith("[") and not _WRAPPER_LINE.match(line))


def _json_reason(exc: json.JSONDecodeError) -> str:
    at_end = exc.pos >= len(exc.doc.rstrip())
    if at_end or exc.msg.startswith("Unterminated string"):  # the string ran to the end of file
        return f"truncated JSON: {exc.msg.lower()} (the file ends early)"
    return f"invalid JSON: {exc.msg.lower()} (column {exc.colno})"


def address_lines(plan: PlanText) -> dict[str, int]:
    """Address -> line where its ``resource_changes`` entry names it (first occurrence)."""
    raw = plan.raw
    start = raw.find(b'"resource_changes"')
    if start < 0:
        return {}
    lines: dict[str, int] = {}
    line = plan.first_line + raw.count(b"\n", 0, start)
    position = start
    for match in _ADDRESS.finditer(raw, start):
        line += raw.count(b"\n", position, match.start())
        position = match.start()
        escaped = match.group(1)
        try:
            address = json.loads(b'"' + escaped + b'"') if b"\\" in escaped else escaped.decode()
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        lines.setdefault(address, line)
    return lines
