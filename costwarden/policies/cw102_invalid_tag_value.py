from __future__ import annotations

from collections.abc import Iterator

from costwarden.model import Resource, Severity
from costwarden.policies.base import Context, Finding, Inconclusive, policy
from costwarden.policies.tagging import tag_value


@policy(
    id="CW102",
    name="invalid-tag-value",
    title="Cost-allocation tag has a value finance does not recognize",
    severity=Severity.MEDIUM,
)
def invalid_tag_value(resource: Resource, context: Context) -> Iterator[Finding | Inconclusive]:
    """A cost-allocation tag's value is one finance knows, so the spend lands on a real owner.

    Each key under ``tags.values`` takes a list of ``allowed`` values, a ``pattern`` (a
    regular expression the whole value must match), or both. Keys that are absent are left to
    CW101. Configuration::

        tags:
          values:
            finops:environment: {allowed: [prod, staging, dev]}
            finops:cost-center: {pattern: 'CC-\\d{4}'}

    Fails: ``tags = { "finops:environment" = "production" }``

    Passes: ``tags = { "finops:environment" = "prod" }``
    """
    if not resource.taggable:
        return
    for key, rule in context.config.tags.values.items():
        present, value = tag_value(resource, key)
        if not present:
            continue
        if value is None:
            yield Inconclusive(f"the value of tag {key} is only known at apply time")
            continue
        if rule.accepts(value):
            continue
        expected = []
        if rule.allowed is not None:
            expected.append("one of " + ", ".join(rule.allowed))
        if rule.pattern is not None:
            expected.append(f"matching {rule.pattern}")
        yield Finding(
            message=f"tag {key} = {value!r} is not allowed (expected {' and '.join(expected)})",
            remediation=f"Set {key} to {' and '.join(expected)}.",
        )
