import json

import pytest

from costwarden.config import Config, config_schema, find_config, load_config
from costwarden.errors import ConfigError
from costwarden.model import Severity


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_defaults_without_a_config(tmp_path):
    config = load_config(cwd=tmp_path)
    assert config == Config()
    assert config.tags.required == [
        "finops:team",
        "finops:service",
        "finops:environment",
        "finops:cost-center",
    ]
    assert config.fail_on_severity is Severity.HIGH


def test_yaml_config(tmp_path):
    write(
        tmp_path,
        ".costwarden.yaml",
        """
fail_on: medium
fail_on_cost: 500
tags:
  required: [owner]
  values:
    env: {allowed: [prod, dev]}
policies:
  CW102: {severity: high}
""",
    )
    config = load_config(cwd=tmp_path)
    assert (config.fail_on, config.fail_on_cost, config.tags.required) == ("medium", 500, ["owner"])
    assert config.severity_for("CW102", "invalid-tag-value", Severity.MEDIUM) is Severity.HIGH


def test_pyproject_table(tmp_path):
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.costwarden]\nfail_on = "never"\n[tool.costwarden.tags]\nrequired = ["team"]\n',
    )
    config = load_config(cwd=tmp_path)
    assert (config.fail_on_severity, config.tags.required) == (None, ["team"])


def test_yaml_wins_over_pyproject_and_pyproject_without_table_is_ignored(tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n')
    assert find_config(tmp_path) is None
    yaml_path = write(tmp_path, ".costwarden.yaml", "fail_on: low\n")
    assert find_config(tmp_path) == yaml_path


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("fail_on: high\nfial_on_cost: 3\n", "fial_on_cost: unknown key", 2),
        ("tags:\n  required: [a]\n  valeus: {}\n", "tags.valeus: unknown key", 3),
        ("fail_on: severe\n", "fail_on: Input should be", 1),
        ("fail_on_cost: -5\n", "fail_on_cost: Input should be greater than or equal to 0", 1),
        (
            "tags:\n  values:\n    env:\n      pattern: '(['\n",
            "tags.values.env.pattern: not a valid regular expression",
            4,
        ),
        (
            "tags:\n  values:\n    env: {}\n",
            "tags.values.env: give 'allowed', 'pattern' or both",
            3,
        ),
        (
            "policies:\n  CW101:\n    severity: urgent\n",
            "policies.CW101.severity: Input should be",
            3,
        ),
        ("fail_on: [\n", "invalid YAML", 2),
        ("- a\n- b\n", "expected a mapping of keys to values", 1),
    ],
)
def test_yaml_errors_name_file_key_and_line(tmp_path, text, message, line):
    path = write(tmp_path, ".costwarden.yaml", text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in caught.value.message
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert "\n" not in str(caught.value)


def test_pyproject_errors_name_the_table_key(tmp_path):
    path = write(tmp_path, "pyproject.toml", "[tool.costwarden]\nfail_on = 3\n")
    with pytest.raises(ConfigError, match=r"tool\.costwarden\.fail_on: "):
        load_config(path)
    path.write_text("[tool.costwarden\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(path)


def test_empty_yaml_is_the_defaults(tmp_path):
    assert load_config(write(tmp_path, ".costwarden.yaml", "")) == Config()


def test_schema_describes_every_key():
    schema = config_schema()
    assert set(schema["properties"]) == {
        "fail_on",
        "fail_on_cost",
        "fail_on_unevaluated",
        "max_input_bytes",
        "default_regions",
        "usage_file",
        "waivers_file",
        "baseline_file",
        "kubernetes_cloud",
        "inference",
        "policy_paths",
        "rego",
        "checkov",
        "checks",
        "skip_checks",
        "terraform",
        "metrics",
        "budget",
        "training",
        "tags",
        "policies",
    }
    assert schema["additionalProperties"] is False
    json.dumps(schema)
