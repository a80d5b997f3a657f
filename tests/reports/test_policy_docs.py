"""Reports describe every policy from the result: user Python, Rego and built-ins alike."""

from __future__ import annotations

import io
import json
import textwrap

from costwarden import Document, ScanOptions, scan
from costwarden.model import Severity
from costwarden.policies import Finding, policy
from costwarden.rego.backend import PolicyFile
from costwarden.rego.run import RegoOptions
from costwarden.reports import REPORTERS, ReportOptions
from costwarden.sources.python import PythonPolicies
from costwarden.sources.rego import RegoPolicies
from tests.plans import change, dumps, plan

REGO = """\
package main

import rego.v1

# METADATA
# title: Inference needs an SLO tag
# description: |-
#   Endpoints name their latency SLO so capacity can be sized to it.
#
#   Add an slo tag such as p95-300ms.
# related_resources:
#   - ref: https://wiki.example.com/slo
# custom:
#   id: ORG7
deny contains {"msg": "no slo tag", "resource": r.address} if {
  some r in input.resources
  not r.tags.slo
}
"""


@policy(id="ORG8", name="needs-owner", title="Needs an owner", severity=Severity.MEDIUM)
def needs_owner(resource, context):
    """Every resource names its owner.

    The owner is paged when the resource idles."""
    if "owner" not in resource.tags:
        yield Finding("no owner")


def result():
    options = ScanOptions(
        sources=(PythonPolicies((needs_owner,)), RegoPolicies(RegoOptions(policies=[PolicyFile("org.rego", REGO)])))
    )
    document = Document("p.json", dumps(plan(change("aws_instance.a", {"instance_type": "g5.xlarge"}))))
    return scan(document, options)


def render(name):
    stream = io.StringIO()
    REPORTERS[name].render(result(), stream, ReportOptions())
    return stream.getvalue()


def test_the_result_carries_each_policy():
    policies = result().policies
    assert policies["ORG7"].help_uri == "https://wiki.example.com/slo"
    assert policies["ORG7"].source == "rego"
    assert policies["ORG8"].doc.startswith("Every resource names its owner.")
    assert policies["ORG8"].source == "python"


def test_sarif_rules_have_the_user_policies_help():
    rules = {r["id"]: r for r in json.loads(render("sarif"))["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["ORG7"]["fullDescription"]["text"] == "Add an slo tag such as p95-300ms."
    assert rules["ORG7"]["helpUri"] == "https://wiki.example.com/slo"
    assert "capacity can be sized" in rules["ORG7"]["help"]["text"]
    assert rules["ORG8"]["fullDescription"]["text"] == "The owner is paged when the resource idles."


def test_junit_failures_name_the_policy_and_its_help():
    text = render("junit")
    assert "Policy: Endpoints name their latency SLO so capacity can be sized to it." in text
    assert "Help: https://wiki.example.com/slo" in text
    assert "Policy: Every resource names its owner." in text


def test_a_rego_rule_without_metadata_is_described_by_its_name():
    options = ScanOptions(
        sources=(
            RegoPolicies(
                RegoOptions(
                    policies=[
                        PolicyFile(
                            "p.rego", textwrap.dedent(REGO).split("# METADATA")[0] + 'deny contains "x" if { true }\n'
                        )
                    ]
                )
            ),
        )
    )
    found = scan(Document("p.json", dumps(plan(change("aws_instance.a", {"instance_type": "g5.xlarge"})))), options)
    assert found.policies["main.deny"].title == "deny"
    assert found.policies["main.deny"].doc == ""
