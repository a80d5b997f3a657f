"""The README's account of what a policy sees is the code's, field for field."""

import dataclasses
import re
import typing
from pathlib import Path

from costwarden.model import Category, Location, Resource
from costwarden.rego.normalize import resource_document
from tests.cli_run import run_cli

README = (Path(__file__).parents[1] / "README.md").read_text()
ROOT = Path(__file__).parents[1]


def listed(marker):
    (body,) = re.findall(rf"<!-- {marker} -->(.*?)<!-- /{marker} -->", README, re.S)
    return re.findall(r"`([^`]+)`", body)


def test_the_resource_fields_the_readme_lists_are_the_dataclass_fields():
    assert listed("resource-fields") == [f.name for f in dataclasses.fields(Resource)]


def test_the_rego_keys_and_categories_the_readme_lists_are_the_inputs():
    resource = Resource(address="a", type="t", provider="aws", action="create", location=Location("p", 1))
    assert listed("rego-keys") == list(resource_document(resource))
    assert listed("categories") == list(typing.get_args(Category))


def test_parse_prints_the_input_a_rego_policy_gets():
    run = run_cli(ROOT, "parse", "examples/sagemaker/finetune-spot.json")
    assert run.code == 0, run.err
    (resource,) = run.report["resources"]
    assert resource["category"] == "training_job" and resource["compute"]["instance_type"] == "ml.p4d.24xlarge"
    assert set(resource) == set(listed("rego-keys"))


def test_policies_shows_one_policys_documentation_and_lists_all_as_json():
    run = run_cli(ROOT, "policies", "CW101")
    assert run.code == 0 and run.out.startswith("CW101 missing-cost-allocation-tags (high, builtin)")
    assert "Fails::" in run.out and "Passes::" in run.out
    listing = run_cli(ROOT, "policies", "-o", "json").report
    assert {"CW101", "CW401"} <= {p["id"] for p in listing} and all(p["enabled"] for p in listing)
    missing = run_cli(ROOT, "policies", "CW10")
    assert missing.code == 2 and "no such policy 'CW10' (did you mean" in missing.err
