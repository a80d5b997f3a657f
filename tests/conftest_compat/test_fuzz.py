"""Every parser and every output format on arbitrary input: a document or one ``LoadError``;
output with no control character a value could smuggle in."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costwarden.conftest import parsers
from costwarden.conftest.outputs import OUTPUTS, OutputOptions
from costwarden.conftest.results import CheckResult, CheckResults, Result
from costwarden.errors import LoadError

texts = st.text(max_size=300)


@pytest.mark.parametrize("name", sorted(parsers.PARSERS))
@settings(max_examples=60, deadline=None)
@given(data=st.one_of(st.binary(max_size=300), texts.map(str.encode)))
def test_a_parser_returns_a_document_or_one_error(name: str, data: bytes) -> None:
    try:
        document = parsers.parse("input", data, name)
    except LoadError as exc:
        assert exc.path == "input" and "\n" not in exc.message
        return
    json.dumps(document, default=str)


@pytest.mark.parametrize("output", sorted(OUTPUTS))
@settings(max_examples=40, deadline=None)
@given(message=texts, filename=texts, namespace=texts)
def test_an_output_escapes_what_it_is_given(output: str, message: str, filename: str, namespace: str) -> None:
    result = CheckResult(filename or "f", namespace or "main", successes=1)
    result.failures.append(Result(message, {"query": "data.main.deny"}))
    result.warnings.append(Result(message, {"query": "data.main.warn"}))
    stream = io.StringIO()
    OUTPUTS[output](CheckResults([result]), stream, OutputOptions())
    text = stream.getvalue()
    if output in ("json", "sarif"):
        json.loads(text)
    elif output == "junit":
        from xml.etree import ElementTree

        ElementTree.fromstring(text.encode("utf-8"))
    else:
        assert not any(ch in text for ch in "\x1b\x07\x08\r\u2028"), repr(text)
        if output == "github":
            assert all(line.startswith(("::", "3 tests")) for line in text.splitlines()), text
