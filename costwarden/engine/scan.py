"""``scan()``: the one entry point every shell (CLI, pre-commit, GitHub, run task) calls."""

from __future__ import annotations

import dataclasses
import io
import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from costwarden.config import Config
from costwarden.engine.enrich import enrich
from costwarden.engine.inputs import Input, load_inputs
from costwarden.engine.measure import attach
from costwarden.engine.options import ScanOptions
from costwarden.engine.sanity import checked
from costwarden.engine.tf_locations import point_at_tf, read_once
from costwarden.gcpause import gc_paused
from costwarden.loaders import Document, Loaded
from costwarden.model import PolicyInfo, Problem, Resource, ResourceCost, ScanResult, Severity, Violation
from costwarden.policies.base import Context
from costwarden.pricing.catalog import Catalog, shipped_catalog
from costwarden.pricing.impact import cost_impact, price_parts, resource_cost
from costwarden.pricing.usage import apply_usage
from costwarden.sources.base import Outcome, Subject
from costwarden.suppress.apply import SuppressOptions, suppress


def scan(
    inputs: Input | Iterable[Input], options: ScanOptions | None = None, *, stdin: BinaryIO | None = None
) -> ScanResult:
    """Scan files, directories (walked for known inputs), ``-`` (stdin) or in-memory documents.

    ``options`` come from ``prepare()``; without them, the config discovered in the working
    folder applies, as it does for ``costwarden scan``. Nothing raises for bad input: each
    unreadable or malformed document is an error on the result, and every other one is scanned.
    """
    if options is None:
        from costwarden.engine.prepare import prepare

        options = prepare()
    with gc_paused():
        listed = [inputs] if isinstance(inputs, str | Path | Document) else list(inputs)
        result = _scan(listed, options, stdin)
        return _suppress(result, options.suppress, options.changed_only)


def _stdin_held(inputs: list[Input], stdin: BinaryIO | None, max_bytes: int) -> tuple[list[Input], BinaryIO | None]:
    """Standard input read once and held as a document, so that every source (raw Rego input
    among them) sees the same bytes; past ``max_bytes`` it is left to the loader to refuse."""
    if not any(not isinstance(i, Document) and str(i) == "-" for i in inputs):
        return inputs, stdin
    data = (stdin or sys.stdin.buffer).read(max_bytes + 1)
    if len(data) > max_bytes:
        return inputs, io.BytesIO(data)
    held = [Document("<stdin>", data) if not isinstance(i, Document) and str(i) == "-" else i for i in inputs]
    return held, stdin


_NOT_MODELLED = ("not a Terraform plan", "not a SageMaker definition", "not a supported input")


def _evaluated_raw(loaded: Loaded, read: Sequence[str]) -> None:
    """A file no loader models (docker-compose, any config) that raw Rego input evaluated is not
    an error: it is said, as a warning, to hold no FinOps resources."""
    evaluated = set(read)
    kept = []
    for problem in loaded.errors:
        if problem.path in evaluated and problem.message.startswith(_NOT_MODELLED):
            reason = problem.message.split(":")[0].split(" (")[0]
            loaded.warnings.append(
                dataclasses.replace(
                    problem, message=f"{reason}: no FinOps resources read; evaluated as a raw Rego document"
                )
            )
        else:
            kept.append(problem)
    loaded.errors = kept


def _scan(inputs: list[Input], options: ScanOptions, stdin: BinaryIO | None) -> ScanResult:
    inputs, stdin = _stdin_held(inputs, stdin, options.max_input_bytes)
    config = options.config
    catalog = options.catalog or shipped_catalog()
    loaded = Loaded()
    names: list[str] = []
    for name, result in load_inputs(
        inputs,
        options.input_format,
        stdin,
        options.max_input_bytes,
        options.terraform,
        options.skip_unrecognized,
        options.workers(),
    ):
        loaded.skipped.extend(result.skipped)
        if result.skipped and not (result.resources or result.errors):
            continue
        names.append(name)
        loaded.resources.extend(result.resources)
        loaded.warnings.extend(result.warnings)
        loaded.errors.extend(result.errors)
        loaded.not_evaluated.extend(result.not_evaluated)

    resources = enrich(read_once(point_at_tf(loaded.resources, options.tf_dir)), catalog, config)
    if options.usage is not None:
        resources, unused = apply_usage(resources, options.usage)
        loaded.warnings.extend(Problem(f"usage entry {key!r} matches no resource") for key in unused)
    resources = checked(resources, loaded.errors)
    if options.metrics:
        resources = attach(resources, options.metrics, loaded.warnings)
    costs = _costs(resources, catalog, loaded.warnings)
    costs_before = {
        r.key: cost
        for r in resources
        if r.compute_before and isinstance(cost := price_parts(r.address, r.compute_before, catalog), ResourceCost)
    }
    context = Context(config=config, catalog=catalog, resources={r.key: r for r in resources}, costs=costs)
    subject = Subject(
        resources=resources,
        context=context,
        names=names,
        paths=[Path(i) for i in inputs if isinstance(i, str | Path) and str(i) != "-"],
        documents=[i for i in inputs if isinstance(i, Document)],
    )
    found = Outcome()
    policies: dict[str, PolicyInfo] = {}
    for source in options.sources:
        outcome = source.evaluate(subject)
        # policies: / --check / --skip-check hold for every source, Rego and Checkov too
        found.violations.extend(v for v in outcome.violations if config.enabled(v.policy_id, v.policy_name))
        found.warnings.extend(outcome.warnings)
        found.errors.extend(outcome.errors)
        for info in outcome.policies:
            if config.enabled(info.id, info.name):
                policies.setdefault(info.id, info)
        found.read.extend(outcome.read)
    _evaluated_raw(loaded, found.read)
    by_key = context.resources
    rate = config.training.spot_interruptions_per_month
    declared = "spot_interruptions_per_month" in config.training.model_fields_set
    uncosted = {i.id for i in policies.values() if i.source == "checkov"}  # security checks: no dollars
    violations = [
        dataclasses.replace(v, cost=cost_impact(resource, costs.get(v.resource_key), v.remedy, catalog, rate, declared))
        if (resource := by_key.get(v.resource_key)) is not None and v.policy_id not in uncosted
        else v  # a Rego result about no resource in particular, or a Checkov finding
        for v in found.violations
    ]
    violations.sort(key=_order)
    for violation in violations:  # a source that forgot to describe a policy still names it
        policies.setdefault(
            violation.policy_id,
            PolicyInfo(
                violation.policy_id, violation.policy_name, violation.title, violation.severity, source="unknown"
            ),
        )
    return ScanResult(
        resources=tuple(resources),
        violations=tuple(violations),
        costs=costs,
        catalog=catalog.info,
        errors=tuple(loaded.errors + found.errors),
        warnings=tuple(loaded.warnings + found.warnings),
        inputs=tuple(names),
        costs_before=costs_before,
        policies=policies,
        not_evaluated=tuple(loaded.not_evaluated),
        skipped=tuple(loaded.skipped),
        gates=_gates(config),
    )


def _gates(config: Config) -> dict[str, Severity | None]:
    checkov = config.checkov.fail_on
    if checkov is None:
        return {}
    return {"checkov": None if checkov == "never" else Severity.parse(checkov)}


CHANGING = frozenset({"create", "update", "replace"})


def _suppress(result: ScanResult, options: SuppressOptions, changed_only: bool) -> ScanResult:
    by_key = {r.key: r for r in result.resources}
    violations = list(result.violations)
    if changed_only:
        violations = [v for v in violations if (r := by_key.get(v.resource_key)) is None or r.action in CHANGING]
    known = {*result.policies, *(info.name for info in result.policies.values())}
    outcome = suppress(violations, by_key, options, known)
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
        where = resource.location
        if isinstance(cost, str):
            warnings.append(Problem(f"not priced: {cost}", where.path, where.line, resource.address))
        elif cost is not None and not (math.isfinite(cost.monthly_cost) and cost.monthly_cost >= 0):
            # a last guard: the inputs were bounded, so this is a catalog or model fault
            warnings.append(
                Problem("not priced: the price came out non-finite", where.path, where.line, resource.address)
            )
        elif cost is not None:
            costs[resource.key] = cost
    return costs
