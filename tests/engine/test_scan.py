import shutil
from pathlib import Path

import pytest

from costwarden import Config, Document, Remedy, ScanOptions, Severity, prepare, scan
from costwarden.config import PolicyConfig
from costwarden.policies import BUILTIN, Finding, policy
from tests.plans import FULL_TAGS, change, dumps, plan
from tests.scanning import with_policies

P4D_MONTHLY = 21.957642 * 730


def doc(*changes, name="plan.json"):
    return Document(name, dumps(plan(*changes)))


def trainer(tags=None, actions=("create",), **after):
    values = {"instance_type": "p4d.24xlarge", "tags_all": tags or {}, **after}
    gone = actions in (("delete",), ("forget",))
    return change(
        "aws_instance.trainer",
        None if gone else values,
        actions=actions,
        before=values if gone else None,
    )


def test_tag_violation_costs_the_unallocatable_spend():
    result = scan(doc(trainer()))
    (violation,) = result.violations
    assert violation.policy_id == "CW101"
    assert violation.cost.monthly_cost == pytest.approx(P4D_MONTHLY)
    assert violation.cost.monthly_savings == 0
    assert violation.cost.basis.startswith("spend at stake: p4d.24xlarge")
    assert violation.cost.catalog_version == "2026.11.29"
    assert result.totals.monthly_cost_at_stake == pytest.approx(P4D_MONTHLY)


@pytest.mark.parametrize("actions", [("delete",), ("forget",)])
def test_resources_going_away_cost_nothing_and_raise_nothing(actions):
    result = scan(doc(trainer(actions=actions)))
    assert result.violations == ()
    (cost,) = result.costs.values()
    assert cost.monthly_cost == 0


def test_no_op_resources_are_checked():
    assert len(scan(doc(trainer(actions=("no-op",)))).violations) == 1


def test_tagged_resource_passes_and_is_still_priced():
    result = scan(doc(trainer(FULL_TAGS)))
    assert result.violations == ()
    assert result.totals.monthly_cost == pytest.approx(P4D_MONTHLY)
    assert result.exit_code() == 0


def test_missing_price_is_a_warning_never_a_zero():
    result = scan(
        doc(
            change(
                "aws_instance.a",
                {"instance_type": "r5.large", "availability_zone": "eu-west-1a", "tags_all": {}},
            )
        )
    )
    assert result.costs == {}
    assert any("not priced: no EC2 price for r5.large in eu-west-1" in w.message for w in result.warnings)
    assert result.violations[0].cost is None


def test_inconclusive_check_is_a_warning():
    result = scan(
        doc(
            change(
                "aws_instance.a",
                {"instance_type": "t3.micro"},
                after_unknown={"tags_all": True, "tags": True},
            )
        )
    )
    assert result.violations == ()
    assert any(w.message.startswith("CW101 not checked: tags are only known at apply time") for w in result.warnings)


def test_disabled_policy_and_severity_override():
    config = Config(policies={"CW101": PolicyConfig(enabled=False)})
    assert scan(doc(trainer()), ScanOptions(config=config)).violations == ()
    config = Config(policies={"missing-cost-allocation-tags": PolicyConfig(severity="low")})
    (violation,) = scan(doc(trainer()), ScanOptions(config=config)).violations
    assert violation.severity is Severity.LOW


@policy(id="T1", name="smaller-gpu", title="t", severity=Severity.MEDIUM)
def smaller_gpu(resource, context):
    if resource.compute and resource.compute.instance_type == "p4d.24xlarge":
        yield Finding("too big", remedy=Remedy({"instance_type": "g6e.12xlarge"}, "move to g6e.12xlarge"))


@policy(id="T2", name="broken", title="t", severity=Severity.HIGH)
def broken(resource, context):
    raise KeyError("boom")
    yield


def test_remedy_is_priced_by_the_engine():
    (violation,) = scan(doc(trainer(FULL_TAGS)), with_policies(smaller_gpu)).violations
    after = 10.49264 * 730  # g6e.12xlarge, us-east-1
    assert violation.cost.monthly_cost_after == pytest.approx(after)
    assert violation.cost.monthly_savings == pytest.approx(P4D_MONTHLY - after)
    assert "After move to g6e.12xlarge: g6e.12xlarge" in violation.cost.basis


def test_a_broken_policy_is_an_error_and_loses_nothing_else():
    result = scan(doc(trainer()), with_policies(broken, *BUILTIN))
    assert [v.policy_id for v in result.violations] == ["CW101"]
    assert "policy T2 failed: KeyError" in result.errors[0].message
    assert result.exit_code() == 2


def test_violations_sorted_by_severity_then_dollars():
    cheap = change("aws_instance.cheap", {"instance_type": "t3.nano", "tags_all": {}})
    result = scan(doc(cheap, trainer(FULL_TAGS)), with_policies(smaller_gpu, *BUILTIN))
    assert [(v.policy_id, v.address) for v in result.violations] == [
        ("CW101", "aws_instance.cheap"),
        ("T1", "aws_instance.trainer"),
    ]
    expensive = trainer()
    result = scan(doc(cheap, expensive))
    assert [v.address for v in result.violations] == ["aws_instance.trainer", "aws_instance.cheap"]


def test_same_address_in_two_files_is_two_resources():
    result = scan([doc(trainer(), name="a.json"), doc(trainer(), name="b.json")])
    assert len(result.resources) == 2
    assert len(result.costs) == 2
    assert result.totals.monthly_cost_at_stake == pytest.approx(2 * P4D_MONTHLY)


def test_bad_document_does_not_stop_the_others():
    result = scan([Document("broken.json", b'{"format_version": "1.2", "resource_'), doc(trainer())])
    assert len(result.violations) == 1
    assert result.errors[0].path == "broken.json"
    assert result.exit_code() == 2


@pytest.mark.parametrize(
    ("fail_on", "fail_on_cost", "code"),
    [
        (Severity.HIGH, None, 1),
        (Severity.CRITICAL, None, 0),
        (None, None, 0),
        (None, 16_000, 1),
        (None, 17_000, 0),
    ],
)
def test_exit_code(fail_on, fail_on_cost, code):
    assert scan(doc(trainer())).exit_code(fail_on, fail_on_cost) == code


def test_a_plan_and_the_tf_it_was_made_from_scanned_together_count_once(tmp_path):
    shutil.copytree(Path(__file__).parents[2] / "examples" / "terraform" / "gpu-fleet", tmp_path / "infra")
    together = scan([str(tmp_path / "infra")], prepare(cwd=tmp_path))
    plan_only = scan([str(tmp_path / "infra" / "plan.json")], prepare(cwd=tmp_path))
    assert sorted(r.address for r in together.resources) == sorted(r.address for r in plan_only.resources)
    assert together.totals == plan_only.totals
