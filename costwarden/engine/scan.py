"""``scan()``: the one entry point every shell (CLI, pre-commit, GitHub, run task) calls."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from costwarden.config import Config
from costwarden.engine.enrich import enrich
from costwarden.engine.evaluate import evaluate
from costwarden.engine.inputs import Input, load_inputs
from costwarden.engine.measure import attach
from costwarden.engine.tf_locations import point_at_tf
from costwarden.gcpause import gc_paused
from costwarden.integrations.checkov import CheckovOptions, run_checkov
from costwarden.loaders import Document, Loaded
from costwarden.metrics.base import MetricsSource
from costwarden.model import Problem, Resource, ResourceCost, ScanResult, Violation
from costwarden.policies import BUILTIN
from costwarden.policies.base import Context, Policy
from costwarden.pricing.catalog import Catalog, shipped_catalog
from costwarden.pricing.impact import cost_impact, price_parts, resource_cost
from costwarden.pricing.usage import UsageFile, apply_usage
from costwarden.rego.run import REGO_TWINS, RegoOptions, raw_documents, rego_config, run_rego
from costwarden.suppress.apply import SuppressOptions, suppress


def scan(
    inputs: Input | Iterable[Input],
    config: Config | None = None,
    *,
    catalog: Catalog | None = None,
    policies: Sequence[Policy] | None = None,
    input_format: str | None = None,
    stdin: BinaryIO | None = None,
    usage: UsageFile | None = None,
    tf_dir: Path | None = None,
    rego: RegoOptions | None = None,
    metrics: Sequence[MetricsSource] = (),
    suppress: SuppressOptions | None = None,
    changed_only: bool = False,
    checkov: CheckovOptions | None = None,
) -> ScanResult:
    """Scan files, directories (walked for known inputs), ``-`` (stdin) or in-memory documents.

    Nothing raises for bad input: each unreadable or malformed document is an error on the
    result, and every other document is still scanned.
    """
    with gc_paused():
        listed = [inputs] if isinstance(inputs, str | Path | Document) else list(inputs)
        result = _scan(listed, config, catalog, policies, input_format, stdin, usage, tf_dir, rego, metrics, checkov)
        return _suppress(result, suppress or SuppressOptions(), changed_only)


def _scan(
    inputs: list[Input],
    config: Config | None,
    catalog: Catalog | None,
    policies: Sequence[Policy] | None,
    input_format: str | None,
    stdin: BinaryIO | None,
    usage: UsageFile | None,
    tf_dir: Path | None,
    rego: RegoOptions | None,
    metrics: Sequence[MetricsSource],
    checkov: CheckovOptions | None,
) -> ScanResult:
    config = config or Config()
    catalog = catalog or shipped_catalog()
    loaded = Loaded()
    names: list[str] = []
    for name, result in load_inputs(inputs, input_format, stdin):
        names.append(name)
        loaded.resources.extend(result.resources)
        loaded.warnings.extend(result.warnings)
        loaded.errors.extend(result.errors)

    resources = enrich(point_at_tf(loaded.resources, tf_dir), catalog, config)
    if usage is not None:
        resources, unused = apply_usage(resources, usage)
        loaded.warnings.extend(Problem(f"usage entry {key!r} matches no resource") for key in unused)
    if metrics:
        resources = attach(resources, metrics, loaded.warnings)
    costs = _costs(resources, catalog, loaded.warnings)
    costs_before = {
        r.key: cost
        for r in resources
        if r.compute_before and isinstance(cost := price_parts(r.address, r.compute_before, catalog), ResourceCost)
    }
    context = Context(config=config, catalog=catalog, resources={r.key: r for r in resources}, costs=costs)
    chosen = list(BUILTIN if policies is None else policies)
    if rego is not None and rego.builtin:
        chosen = [p for p in chosen if p.id not in REGO_TWINS]
    evaluation = evaluate(resources, chosen, context)
    if rego is not None and rego.active:
        outcome = run_rego(rego, resources, lambda: raw_documents(names), rego_config(config))
        evaluation.violations.extend(outcome.violations)
        evaluation.errors.extend(outcome.errors)
    if checkov is not None:
        on_disk = [Path(i) for i in inputs if isinstance(i, str | Path) and str(i) != "-"]
        found, problems = run_checkov(checkov, on_disk, resources)
        evaluation.violations.extend(found)
        evaluation.errors.extend(problems)
    by_key = context.resources
    rate = config.training.spot_interruptions_per_month
    violations = [
        dataclasses.replace(v, cost=cost_impact(resource, costs.get(v.resource_key), v.remedy, catalog, rate))
        if (resource := by_key.get(v.resource_key)) is not None
        else v  # a Rego result about no resource in particular
        for v in evaluation.violations
    ]
    violations.sort(key=_order)
    return ScanResult(
        resources=tuple(resources),
        violations=tuple(violations),
        costs=costs,
        catalog=catalog.info,
        errors=tuple(loaded.errors + evaluation.errors),
        warnings=tuple(loaded.warnings + evaluation.warnings),
        inputs=tuple(names),
        costs_before=costs_before,
    )


CHANGING = frozenset({"create", "update", "replace"})


def _suppress(result: ScanResult, options: SuppressOptions, changed_only: bool) -> ScanResult:
    by_key = {r.key: r for r in result.resources}
    violations = list(result.violations)
    if changed_only:
        violations = [v for v in violations if (r := by_key.get(v.resource_key)) is None or r.action in CHANGING]
    outcome = suppress(violations, by_key, options)
    return dataclasses.replace(
        result,
        violations=tuple(outcome.kept),
        suppressed=tuple(outcome.suppressed),
        warnings=result.warnings + tuple(outcome.warnings),
        errors=result.errors + tuple(outcome.errors),
        fixed=tuple(outcome.fixed),
    )


def _order(violation: Violation) -> tuple[int, float, str, str]:
    impact = violation.cost.monthly_impact if violation.cost else 0.0
    return (-violation.severity, -impact, violation.address, violation.policy_id)


def _costs(resources: Sequence[Resource], catalog: Catalog, warnings: list[Problem]) -> dict[str, ResourceCost]:
    costs: dict[str, ResourceCost] = {}
    for resource in resources:
        cost = resource_cost(resource, catalog)
        if isinstance(cost, str):
            where = resource.location
            warnings.append(Problem(f"not priced: {cost}", where.path, where.line, resource.address))
        elif cost is not None:
            costs[resource.key] = cost
    return costs
