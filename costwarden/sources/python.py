"""Python policies as a source: each enabled ``@policy`` over each resource that exists after
the change. A finding becomes a violation, ``Inconclusive`` a warning, an exception an error
that loses no other policy's results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from costwarden.config import Config
from costwarden.model import PolicyInfo, Problem, Resource, Severity, Violation
from costwarden.policies import BUILTIN
from costwarden.policies.base import Context, Finding, Inconclusive, Policy
from costwarden.policies.docs import help_uri
from costwarden.pricing.impact import REMEDY_KEYS
from costwarden.sources.base import Outcome, Subject

_BUILTIN_IDS = frozenset(id(p) for p in BUILTIN)


@dataclass(frozen=True)
class PythonPolicies:
    policies: Sequence[Policy] = BUILTIN
    name: str = "python"

    def describe(self, config: Config) -> list[PolicyInfo]:
        return [_info(p, config.severity_for(p.id, p.name, p.severity)) for p in self._enabled(config)]

    def _enabled(self, config: Config) -> list[Policy]:
        return [p for p in self.policies if config.enabled(p.id, p.name)]

    def evaluate(self, subject: Subject) -> Outcome:
        context = subject.context
        active = self._enabled(context.config)
        outcome = Outcome(policies=self.describe(context.config))
        severities = {info.id: info.severity for info in outcome.policies}
        by_category: dict[str, list[Policy]] = {}  # the policies that look at each category, in order
        for resource in subject.resources:
            if not resource.exists_after:
                continue
            applicable = by_category.get(resource.category)
            if applicable is None:
                applicable = by_category[resource.category] = [p for p in active if p.applies_to(resource)]
            for policy in applicable:
                _run(policy, severities[policy.id], resource, context, outcome)
        return outcome


def _info(policy: Policy, severity: Severity) -> PolicyInfo:
    origin = "builtin" if id(policy) in _BUILTIN_IDS else "python"
    uri = help_uri(policy.id) if origin == "builtin" else None
    return PolicyInfo(policy.id, policy.name, policy.title, severity, policy.doc, uri, origin)


def _run(policy: Policy, severity: Severity, resource: Resource, context: Context, outcome: Outcome) -> None:
    where = resource.location
    try:
        for found in policy.check(resource, context):
            if isinstance(found, Inconclusive):
                message = f"{policy.id} not checked: {found.reason}"
                outcome.warnings.append(Problem(message, where.path, where.line, resource.address))
            elif isinstance(found, Finding):
                unknown = sorted(set(found.remedy.changes) - set(REMEDY_KEYS)) if found.remedy else []
                if unknown:  # as for Rego: a remedy nobody can price is the policy's bug, said
                    known = ", ".join(sorted(REMEDY_KEYS))
                    message = f"policy {policy.id}: unknown remedy key {unknown[0]!r} (known: {known})"
                    outcome.errors.append(Problem(message, where.path, where.line, resource.address))
                    continue
                outcome.violations.append(
                    Violation(
                        policy_id=policy.id,
                        policy_name=policy.name,
                        title=policy.title,
                        severity=severity,
                        address=resource.address,
                        resource_type=resource.type,
                        location=where,
                        message=found.message,
                        remediation=found.remediation,
                        remedy=found.remedy,
                        document=resource.document,
                    )
                )
    except Exception as exc:  # a broken policy must not lose the other policies' results
        message = f"policy {policy.id} failed: {type(exc).__name__}: {exc}"
        outcome.errors.append(Problem(message, where.path, where.line, resource.address))
