import pytest

from costwarden.config import Config, TagsConfig, TagValueRule
from costwarden.model import Location, Resource
from costwarden.policies.base import Context, Finding, Inconclusive
from costwarden.policies.cw102_invalid_tag_value import invalid_tag_value as cw102
from costwarden.pricing import shipped_catalog

CONFIG = Config(
    tags=TagsConfig(
        values={
            "finops:environment": TagValueRule(allowed=["prod", "staging", "dev"]),
            "finops:cost-center": TagValueRule(pattern=r"CC-\d{4}"),
            "finops:team": TagValueRule(allowed=["ml", "data"], pattern="[a-z]+"),
        }
    )
)


def run(tags, provider="aws"):
    resource = Resource(
        address="x.y",
        type="aws_instance",
        provider=provider,
        action="create",
        location=Location("p", 1),
        tags=tags,
        taggable=True,
    )
    return list(cw102.check(resource, Context(CONFIG, shipped_catalog())))


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ({"finops:environment": "prod"}, None),
        (
            {"finops:environment": "production"},
            "tag finops:environment = 'production' is not allowed (expected one of prod, staging, dev)",
        ),
        ({"finops:cost-center": "CC-1234"}, None),
        (
            {"finops:cost-center": "CC-12345"},
            "tag finops:cost-center = 'CC-12345' is not allowed (expected matching CC-\\d{4})",
        ),
        ({"finops:cost-center": "xCC-1234"}, "is not allowed"),
        ({"finops:team": "ml"}, None),
        ({"finops:team": "ops"}, "expected one of ml, data and matching [a-z]+"),
        ({}, None),  # absent keys are CW101's
    ],
)
def test_cases(tags, message):
    outcome = run(tags)
    if message is None:
        assert outcome == []
    else:
        (finding,) = outcome
        assert isinstance(finding, Finding)
        assert message in finding.message


def test_google_label_matched_by_normalized_key():
    (finding,) = run({"finops_environment": "qa"}, provider="google")
    assert "'qa'" in finding.message


def test_value_unknown_until_apply_is_inconclusive():
    (outcome,) = run({"finops:environment": None})
    assert isinstance(outcome, Inconclusive)


def test_docstring_documents_failing_and_passing_examples():
    assert "Fails:" in cw102.doc and "Passes:" in cw102.doc
