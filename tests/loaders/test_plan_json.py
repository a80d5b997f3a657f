import codecs
import json

import pytest

from costwarden.errors import LoadError
from costwarden.loaders.plan_json import address_lines, read_json
from tests.plans import change, dumps, plan

PLAN = plan(change("aws_instance.a", {"instance_type": "t3.micro"}))


def test_plain_json():
    assert read_json("p.json", dumps(PLAN)).document == PLAN


@pytest.mark.parametrize(
    "encoded",
    [
        codecs.BOM_UTF8 + json.dumps(PLAN).encode("utf-8"),
        codecs.BOM_UTF16_LE + json.dumps(PLAN).encode("utf-16-le"),
        codecs.BOM_UTF16_BE + json.dumps(PLAN).encode("utf-16-be"),
    ],
    ids=["utf-8-bom", "utf-16-le-powershell", "utf-16-be"],
)
def test_byte_order_marks(encoded):
    assert read_json("p.json", encoded).document == PLAN


def test_setup_terraform_wrapper_is_stripped_and_flagged():
    wrapped = (
        b"[command]/tmp/x/terraform-bin show -json plan.tfplan\n"
        + json.dumps(PLAN).encode()
        + b"%0A\n::set-output name=stderr::\n::set-output name=exitcode::0\n"
    )
    text = read_json("p.json", wrapped)
    assert text.document == PLAN
    assert text.wrapped
    assert text.first_line == 2


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"", "empty file", None),
        (b"  \n\n", "empty file", None),
        (b'{"format_version": "1.2", "resource_changes": [', "truncated JSON", 1),
        (b'{\n "a": 1,\n "b": tru\n}', "invalid JSON", 3),
        (b"hello world", "not JSON: starts with 'hello world'", 1),
        (b"\xff\xfe{\x00x", "not UTF-16 text", None),
        (b'{"a": "\xff"}', "not UTF-8 text (byte 0xFF at offset 7)", 1),
        (b'{"a": 1}\ngarbage', "unexpected text after the JSON", 1),
    ],
)
def test_bad_input_names_the_cause_and_line(data, message, line):
    with pytest.raises(LoadError) as caught:
        read_json("bad.json", data)
    assert message in caught.value.message
    assert caught.value.line == line
    assert str(caught.value).startswith("bad.json")
    assert "\n" not in str(caught.value)


def test_address_lines_point_at_the_resource_change():
    document = plan(
        change("aws_instance.a", {}),
        change('module.m["k"].aws_instance.b[0]', {}),
    )
    document["prior_state"] = {"values": {"root_module": {"resources": [{"address": "aws_instance.z"}]}}}
    raw = json.dumps(document, indent=2).encode()
    lines = address_lines(read_json("p.json", raw))
    text_lines = raw.decode().splitlines()
    for address in ("aws_instance.a", 'module.m["k"].aws_instance.b[0]'):
        assert json.dumps(address) in text_lines[lines[address] - 1]
    # an address seen only after resource_changes (prior_state) maps to its own line too
    assert '"aws_instance.z"' in text_lines[lines["aws_instance.z"] - 1]


def test_address_lines_of_a_single_line_plan_are_line_one():
    lines = address_lines(read_json("p.json", dumps(PLAN, indent=None)))
    assert lines == {"aws_instance.a": 1}


def test_address_lines_offset_by_wrapper_lines():
    raw = b"[command]terraform show -json\n" + json.dumps(PLAN, indent=1).encode()
    text = read_json("p.json", raw)
    line = address_lines(text)["aws_instance.a"]
    assert '"address": "aws_instance.a"' in raw.decode().splitlines()[line - 1]
