"""Run policies over resources: findings become violations, failures become errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from costwarden.model import Problem, Resource, Violation
from costwarden.policies.base import Context, Finding, Inconclusive, Policy


@dataclass
class Evaluation:
    violations: list[Violation] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


def enabled_policies(policies: Sequence[Policy], context: Context) -> list[Policy]:
    return [p for p in policies if context.config.policy(p.id, p.name).enabled]


def evaluate(resources: Sequence[Resource], policies: Sequence[Policy], context: Context) -> Evaluation:
    result = Evaluation()
    active = enabled_policies(policies, context)
    for resource in resources:
        if not resource.exists_after:
            continue
        for policy in active:
            if policy.applies_to(resource):
                _run(policy, resource, context, result)
    return result


def _run(policy: Policy, resource: Resource, context: Context, result: Evaluation) -> None:
    severity = context.config.severity_for(policy.id, policy.name, policy.severity)
    where = resource.location
    try:
        for outcome in policy.check(resource, context):
            if isinstance(outcome, Inconclusive):
                message = f"{policy.id} not checked: {outcome.reason}"
                result.warnings.append(Problem(message, where.path, where.line, resource.address))
            elif isinstance(outcome, Finding):
                result.violations.append(
                    Violation(
                        policy_id=policy.id,
                        policy_name=policy.name,
                        title=policy.title,
                        severity=severity,
                        address=resource.address,
                        resource_type=resource.type,
                        location=where,
                        message=outcome.message,
                        remediation=outcome.remediation,
                        remedy=outcome.remedy,
                        document=resource.document,
                    )
                )
    except Exception as exc:  # a broken policy must not lose the other policies' results
        message = f"policy {policy.id} failed: {type(exc).__name__}: {exc}"
        result.errors.append(Problem(message, where.path, where.line, resource.address))
