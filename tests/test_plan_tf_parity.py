"""Where a plan and its `.tf` source are both at hand, `.tf` mode says what the plan says:
the same addresses, the same compute, the same prices and the same violations, for
everything the `.tf` knows (values Terraform learns only at apply stay unknown in both)."""

import shutil
from pathlib import Path

import pytest

from costwarden import Overrides, prepare, scan

ROOT = Path(__file__).parents[1]
# each tree with a plan.json made from it, and the variables the plan was made with
TREES = {
    "examples/terraform/gpu-fleet": {},
    "tests/fixtures/hcl/app": {"unknown_type": "g6.xlarge"},
}


def both(tmp_path, tree, variables):
    source = tmp_path / "tree"
    shutil.copytree(ROOT / tree, source)
    plan = (source / "plan.json").rename(tmp_path / "plan.json")
    overrides = Overrides(variables=tuple(variables.items()))
    from_plan = scan([str(plan)], prepare(None, Overrides(), cwd=tmp_path, environ={}))
    from_tf = scan([str(source)], prepare(None, overrides, cwd=tmp_path, environ={}))
    assert from_plan.errors == from_tf.errors == ()
    return from_plan, from_tf


def compute(resource):
    c = resource.compute
    if c is None:
        return None
    gpu = (c.gpu.model, c.gpu.count) if c.gpu else None
    return (c.provider, c.instance_type, c.count, c.market, c.spot_count, c.region, c.service, gpu, c.alternatives)


def resources(result):
    return {r.address: r for r in result.resources}


def monthly(result):
    return {
        r.address: round(result.costs[r.key].monthly_cost or 0.0, 2) for r in result.resources if r.key in result.costs
    }


def violations(result):
    return sorted(
        (v.policy_id, v.address, v.severity, v.message, v.cost and round(v.cost.monthly_savings, 2))
        for v in result.violations
    )


@pytest.mark.parametrize(("tree", "variables"), TREES.items(), ids=list(TREES))
def test_tf_mode_says_what_the_plan_says(tmp_path, tree, variables):
    from_plan, from_tf = both(tmp_path, tree, variables)
    planned, evaluated = resources(from_plan), resources(from_tf)
    assert sorted(evaluated) == sorted(planned)
    assert {a: compute(r) for a, r in evaluated.items()} == {a: compute(r) for a, r in planned.items()}
    assert {a: dict(r.tags) for a, r in evaluated.items()} == {a: dict(r.tags) for a, r in planned.items()}
    assert monthly(from_tf) == monthly(from_plan)
    assert violations(from_tf) == violations(from_plan)
    assert from_tf.violations, "the trees must exercise the policies"


def test_without_the_plans_variables_tf_mode_knows_less_and_says_so(tmp_path):
    from_plan, from_tf = both(tmp_path, "tests/fixtures/hcl/app", {})
    planned, evaluated = resources(from_plan), resources(from_tf)
    assert sorted(evaluated) == sorted(planned)
    dynamic = evaluated["aws_instance.dynamic"]
    assert dynamic.compute.instance_type is None and "instance_type" in dynamic.unknown
    assert "aws_instance.dynamic" not in monthly(from_tf)
    known = {a: compute(r) for a, r in evaluated.items() if a != "aws_instance.dynamic"}
    assert known == {a: compute(planned[a]) for a in known}
