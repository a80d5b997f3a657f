from __future__ import annotations

from collections.abc import Iterator

from costwarden.model import Resource, Severity
from costwarden.policies.base import Context, Finding, policy
from costwarden.policies.workloads import workload


@policy(
    id="CW501",
    name="cost-per-inference-over-budget",
    title="Each inference costs more than the budget allows",
    severity=Severity.MEDIUM,
)
def cost_per_inference_over_budget(resource: Resource, context: Context) -> Iterator[Finding]:
    """An inference endpoint or workload serves each request within the unit budget.

    Cost per inference = the resource's hourly cost / measured requests per hour (from the
    metrics source: SageMaker ``Invocations``, or a Prometheus request-rate query); the budget
    is ``budget.cost_per_inference_usd`` (default $0.001). The message shows the arithmetic.

    Fails: $24.50/h serving 3,600 requests an hour ($0.0068 per inference).

    Passes: the same endpoint serving 40,000 requests an hour ($0.0006).
    """
    measured, cost = resource.utilization, context.costs.get(resource.key)
    if measured is None or cost is None or not measured.requests_per_hour or workload(resource) != "inference":
        return
    per_inference = cost.hourly_cost / measured.requests_per_hour
    budget = context.config.budget.cost_per_inference_usd
    if per_inference <= budget:
        return
    yield Finding(
        message=(
            f"${cost.hourly_cost:,.2f}/h / {measured.requests_per_hour:,.0f} requests/h = ${per_inference:.5f} per "
            f"inference (${per_inference * 1000:,.2f} per 1,000), over the ${budget:g} budget"
        ),
        remediation="Serve more requests per instance (batching, a smaller GPU) or scale down when idle (CW401).",
    )
