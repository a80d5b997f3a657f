import pytest

from costwarden.config import Config, TagsConfig
from costwarden.model import Location, Resource
from costwarden.policies.base import Context, Finding, Inconclusive
from costwarden.policies.cw101_missing_cost_allocation_tags import (
    missing_cost_allocation_tags as cw101,
)
from costwarden.pricing import shipped_catalog

FULL = {
    "finops:team": "a",
    "finops:service": "b",
    "finops:environment": "c",
    "finops:cost-center": "d",
}
NO_TEAM = {k: v for k, v in FULL.items() if k != "finops:team"}


def run(tags, provider="aws", unknown=frozenset(), taggable=True, rtype="aws_instance", config=None):
    resource = Resource(
        address="x.y",
        type=rtype,
        provider=provider,
        action="create",
        location=Location("p", 1),
        tags=tags,
        taggable=taggable,
        unknown=unknown,
    )
    return list(cw101.check(resource, Context(config or Config(), shipped_catalog())))


@pytest.mark.parametrize(
    ("tags", "provider", "missing"),
    [
        (FULL, "aws", None),
        (NO_TEAM, "aws", "finops:team"),
        ({}, "aws", "finops:team, finops:service, finops:environment, finops:cost-center"),
        ({**FULL, "finops:team": ""}, "aws", "finops:team"),
        ({**FULL, "finops:team": "  "}, "aws", "finops:team"),
        ({**NO_TEAM, "FINOPS:TEAM": "a"}, "aws", "finops:team"),  # AWS keys are case-sensitive
        ({**NO_TEAM, "FinOps:Team": "a"}, "azure", None),  # Azure names are not
        (
            {
                "finops_team": "a",
                "finops_service": "b",
                "finops_environment": "c",
                "finops_cost-center": "d",
            },
            "google",
            None,
        ),
        ({**FULL, "finops:team": None}, "aws", None),  # present, value known only at apply
    ],
)
def test_cases(tags, provider, missing):
    outcome = run(tags, provider)
    if missing is None:
        assert outcome == []
    else:
        (finding,) = outcome
        assert isinstance(finding, Finding)
        assert finding.message.endswith(missing)


def test_not_taggable_is_not_checked():
    assert run({}, taggable=False) == []


def test_tags_that_may_appear_at_apply_are_inconclusive():
    (outcome,) = run(NO_TEAM, unknown=frozenset({"tags"}))
    assert isinstance(outcome, Inconclusive)
    assert "finops:team" in outcome.reason


def test_required_keys_and_per_type_overrides_from_config():
    config = Config(tags=TagsConfig(required=["owner"], required_by_type={"aws_launch_template": ["team"]}))
    assert run({"owner": "me"}, config=config) == []
    (finding,) = run({"owner": "me"}, rtype="aws_launch_template", config=config)
    assert finding.message == "missing cost-allocation tag: team"


def test_docstring_documents_failing_and_passing_examples():
    assert "Fails::" in cw101.doc and "Passes::" in cw101.doc
