"""The plan loader and the config loader never crash: any input is resources or a clean error."""

import copy
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costwarden import Document, scan
from costwarden.config import load_config
from costwarden.errors import ConfigError
from costwarden.loaders import terraform_plan

EXAMPLE = json.loads((Path(__file__).parents[2] / "examples" / "terraform" / "gpu-fleet" / "plan.json").read_text())

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
plan_words = st.sampled_from(
    [
        "format_version",
        "resource_changes",
        "change",
        "after",
        "after_unknown",
        "actions",
        "tags_all",
        "tags",
        "tag",
        "configuration",
        "provider_config",
        "expressions",
        "default_tags",
        "references",
        "constant_value",
        "module_calls",
        "module",
        "resources",
        "address",
        "type",
        "instance_type",
    ]
)


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*prefix, index))


ALL_PATHS = list(paths(EXAMPLE))[1:]


def replace(document, path, value):
    node = document
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def assert_clean(loaded):
    for problem in loaded.errors + loaded.warnings:
        assert isinstance(problem.message, str) and problem.message
        assert "\n" not in str(problem)
    for resource in loaded.resources:
        assert isinstance(resource.address, str)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_value(value):
    assert_clean(terraform_plan.load("f.json", json.dumps(value).encode()))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(plan_words, json_values, max_size=6))
def test_plan_shaped_objects(value):
    value.setdefault("format_version", "1.2")
    assert_clean(terraform_plan.load("f.json", json.dumps(value).encode()))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(ALL_PATHS), json_values), min_size=1, max_size=4))
def test_mutated_real_plan_scans_without_crashing(mutations):
    document = copy.deepcopy(EXAMPLE)
    for path, value in mutations:
        try:
            replace(document, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed the parent
    result = scan(Document("m.json", json.dumps(document).encode()))
    for problem in result.errors + result.warnings:
        assert "\n" not in str(problem)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data):
    assert_clean(terraform_plan.load("f.json", data))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len(json.dumps(EXAMPLE))))
def test_every_truncation_is_a_clean_error(cut):
    data = json.dumps(EXAMPLE, indent=1).encode()[:cut]
    loaded = terraform_plan.load("f.json", data)
    assert loaded.errors
    assert_clean(loaded)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200) | json_values.map(lambda v: json.dumps(v)))
def test_config_loader_never_crashes(tmp_path, text):
    path = tmp_path / ".costwarden.yaml"
    path.write_text(text)
    try:
        load_config(path)
    except ConfigError as exc:
        assert "\n" not in str(exc)
