from __future__ import annotations

from collections.abc import Iterator

from costwarden.model import Resource, Severity
from costwarden.policies.base import Context, Finding, Inconclusive, policy
from costwarden.policies.tagging import tag_value, tags_may_change


@policy(
    id="CW101",
    name="missing-cost-allocation-tags",
    title="Resource is missing cost-allocation tags",
    severity=Severity.HIGH,
)
def missing_cost_allocation_tags(resource: Resource, context: Context) -> Iterator[Finding | Inconclusive]:
    """Every taggable resource carries the cost-allocation tags finance uses to split the bill.

    Spend on a resource without them cannot be charged back to a team, so the violation's cost
    impact is the resource's whole monthly cost. The required keys default to ``finops:team``,
    ``finops:service``, ``finops:environment`` and ``finops:cost-center``; set them with
    ``tags.required``; per resource type, ``tags.required_by_type`` replaces that list and
    ``tags.also_required_by_type`` adds to it. Effective tags count:
    AWS ``tags_all`` (provider ``default_tags`` included), Auto Scaling group ``tag`` blocks,
    Google labels (``finops:team`` is matched by the label ``finops_team``), Azure tags
    (names compared without case). An empty value counts as missing.

    Fails::

        provider "aws" {}
        resource "aws_instance" "trainer" {
          instance_type = "p4d.24xlarge"
          tags = { "finops:team" = "ml-platform" }
        }

    Passes::

        provider "aws" {
          default_tags {
            tags = { "finops:team" = "ml-platform", "finops:service" = "llm-training",
                     "finops:environment" = "prod", "finops:cost-center" = "CC-4512" }
          }
        }
        resource "aws_instance" "trainer" { instance_type = "p4d.24xlarge" }
    """
    if not resource.taggable:
        return
    required = context.config.tags.required_for(resource.type)
    missing = []
    for key in required:
        present, value = tag_value(resource, key)
        if not present or (value is not None and not value.strip()):
            missing.append(key)
    if not missing:
        return
    if tags_may_change(resource):
        wanted = ", ".join(missing)
        yield Inconclusive(f"tags are only known at apply time; cannot tell whether {wanted} will be set")
        return
    noun = "tag" if len(missing) == 1 else "tags"
    yield Finding(
        message=f"missing cost-allocation {noun}: {', '.join(missing)}",
        remediation=(
            f"Add {', '.join(missing)} to the resource's tags, or once for every resource "
            "through the provider's default_tags (AWS) or default_labels (Google)."
        ),
    )
