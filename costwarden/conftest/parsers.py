"""Files as the documents conftest's parsers make of them, chosen by name as conftest chooses.

A parser takes the file's bytes and returns its document. A YAML stream of several documents is
a list (conftest then checks each on its own, under the file's name); an empty YAML document is
``null``. Formats conftest has and costwarden does not are in ``UNSUPPORTED``, each refused with
one line naming the file.
"""

from __future__ import annotations

import configparser
import io
import json
import tomllib
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from costwarden.conftest.hcl2json import convert
from costwarden.errors import LoadError
from costwarden.loaders.text import decode_text, no_constants
from costwarden.loaders.yaml_docs import read_documents

Parser = Callable[[str, bytes], Any]

UNSUPPORTED = {
    "cue": "no maintained Python reader of CUE",
    "cyclonedx": "not read (use the json parser for CycloneDX JSON)",
    "edn": "no maintained Python reader of EDN in conftest's shape",
    "groovy": "no Python reader of Jenkinsfiles in conftest's shape",
    "hcl1": "HCL1 is not read (HCL2 is)",
    "hocon": "no maintained Python reader of HOCON",
    "ignore": ".gitignore/.dockerignore are not read",
    "jsonc": "JSON with comments is not read",
    "jsonnet": "Jsonnet is not evaluated",
    "nginx": "nginx configuration is not read",
    "properties": "Java properties are not read",
    "spdx": "SPDX tag-value is not read",
    "textproto": "text protocol buffers are not read",
    "vcl": "VCL is not read",
    "xml": "XML is not read in conftest's shape",
}


def _text(path: str, data: bytes) -> str:
    return decode_text(path, data) if data else ""


def parse_yaml(path: str, data: bytes) -> Any:
    text = _text(path, data)
    if not text.strip():
        return None
    documents = [document.data for document in read_documents(path, text, keep_empty=True)]
    if not documents:
        return None
    return documents[0] if len(documents) == 1 else documents


def parse_json(path: str, data: bytes) -> Any:
    text = _text(path, data)
    try:
        return json.loads(text, parse_constant=no_constants)
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    except (RecursionError, ValueError) as exc:
        raise LoadError(f"invalid JSON: {str(exc).splitlines()[0]}", path=path) from None


def parse_hcl2(path: str, data: bytes) -> Any:
    from hcl2.api import loads
    from lark.exceptions import LarkError

    try:
        return convert(loads(_text(path, data), with_meta=True))
    except LarkError as exc:
        line = getattr(exc, "line", None)
        reason = str(exc).strip().splitlines()[0][:160]
        raise LoadError(f"invalid HCL: {reason}", path=path, line=line if isinstance(line, int) else None) from None
    except RecursionError:
        raise LoadError("invalid HCL: nested too deeply to read", path=path) from None


def parse_toml(path: str, data: bytes) -> Any:
    try:
        return tomllib.loads(_text(path, data))
    except tomllib.TOMLDecodeError as exc:
        raise LoadError(f"invalid TOML: {exc}", path=path) from None


_GO_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_GO_FALSE = ("0", "f", "F", "FALSE", "false", "False")


def _ini_value(value: str) -> Any:
    """conftest turns numbers, then booleans (as Go's ParseBool reads them), into JSON values."""
    try:
        number = float(value)
        if number == number and abs(number) != float("inf"):
            return number
    except ValueError:
        pass
    if value in _GO_TRUE or value in _GO_FALSE:
        return value in _GO_TRUE
    return value


def parse_ini(path: str, data: bytes) -> Any:
    reader = configparser.ConfigParser(interpolation=None, strict=False, default_section="\x00none")
    reader.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    text = _text(path, data)
    try:
        reader.read_string(text if text.lstrip().startswith("[") else "[DEFAULT]\n" + text)
    except configparser.Error as exc:
        raise LoadError(f"invalid INI: {str(exc).splitlines()[0]}", path=path) from None
    return {
        section: {key: _ini_value(value or "") for key, value in reader.items(section, raw=True)}
        for section in reader.sections()
        if section != "DEFAULT"
    }


def parse_dotenv(path: str, data: bytes) -> Any:
    from dotenv import dotenv_values

    return {key: value or "" for key, value in dotenv_values(stream=io.StringIO(_text(path, data))).items()}


def parse_dockerfile(path: str, data: bytes) -> Any:
    from costwarden.conftest.dockerfile import commands

    return [commands(_text(path, data))]


PARSERS: dict[str, Parser] = {
    "dockerfile": parse_dockerfile,
    "dotenv": parse_dotenv,
    "hcl2": parse_hcl2,
    "ini": parse_ini,
    "json": parse_json,
    "toml": parse_toml,
    "yaml": parse_yaml,
}
_BY_EXTENSION = {"yml": "yaml", "yaml": "yaml", "json": "json", "hcl": "hcl2", "tf": "hcl2", "tfvars": "hcl2"}
_BY_EXTENSION |= {"toml": "toml", "ini": "ini", "env": "dotenv"}
_BY_EXTENSION |= {name: name for name in UNSUPPORTED}
_BY_EXTENSION |= {"gitignore": "ignore", "dockerignore": "ignore", "proto": "textproto", "textproto": "textproto"}


def parser_name(path: str) -> str | None:
    """The parser conftest picks for a file name, or ``None`` when it has none (not a config file)."""
    if path == "-":
        return "yaml"
    name = PurePath(path).name.lower()
    extension = PurePath(name).suffix[1:]
    if name == "dockerfile" or name.startswith("dockerfile.") or extension == "dockerfile":
        return "dockerfile"
    if name == ".env" or name.startswith(".env.") or extension == "env":
        return "dotenv"
    if name == "nginx.conf":
        return "nginx"
    if name == "jenkinsfile" or name.startswith("jenkinsfile."):
        return "groovy"
    if name in (".gitignore", ".dockerignore"):
        return "ignore"
    return _BY_EXTENSION.get(extension)


def known_parsers() -> list[str]:
    return sorted({*PARSERS, *UNSUPPORTED})


def parse(path: str, data: bytes, parser: str | None = None) -> Any:
    """The document of one file; ``parser`` forces a format as ``--parser`` does."""
    chosen = parser or parser_name(path)
    if chosen is None:
        raise LoadError("no parser for this file type (give --parser)", path=path)
    chosen = "hcl2" if chosen == "hcl" else chosen
    if chosen in UNSUPPORTED:
        raise LoadError(f"the {chosen} parser is not available: {UNSUPPORTED[chosen]}", path=path)
    if chosen not in PARSERS:
        raise LoadError(f"unknown parser {chosen!r} (known: {', '.join(known_parsers())})", path=path)
    return PARSERS[chosen](path, data)
