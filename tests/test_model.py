import pytest

from costwarden.model import CostImpact, Location, Problem, Severity


@pytest.mark.parametrize(
    ("text", "severity"),
    [("high", Severity.HIGH), (" Critical ", Severity.CRITICAL), ("info", Severity.INFO)],
)
def test_severity_parse(text, severity):
    assert Severity.parse(text) is severity


def test_severity_order_and_unknown():
    assert Severity.INFO < Severity.LOW < Severity.MEDIUM < Severity.HIGH < Severity.CRITICAL
    with pytest.raises(ValueError, match="unknown severity 'severe'"):
        Severity.parse("severe")


def test_monthly_impact_is_savings_when_a_remedy_saves_else_the_spend():
    assert CostImpact(100, 40, 60, "", "v").monthly_impact == 60
    assert CostImpact(100, 100, 0, "", "v").monthly_impact == 100


def test_problem_and_location_render_as_one_line():
    assert str(Location("main.tf", 12)) == "main.tf:12"
    assert str(Problem("empty file", "p.json", 1)) == "p.json:1: empty file"
    assert str(Problem("not priced", "p.json", 7, "aws_instance.a")) == "p.json:7 aws_instance.a: not priced"
    assert str(Problem("boom")) == "boom"


def test_totals_count_each_quantity_once_per_resource_whatever_the_order():
    import dataclasses
    from pathlib import Path

    from costwarden import scan

    example = Path(__file__).parents[1] / "examples" / "sagemaker" / "finetune-spot.json"
    result = scan([str(example)])
    assert {v.policy_id for v in result.violations} >= {"CW302"}
    backwards = dataclasses.replace(result, violations=tuple(reversed(result.violations)))
    assert result.totals == backwards.totals
    (spend,) = (cost.monthly_cost for cost in result.costs.values())
    assert result.totals.monthly_cost_at_stake == round(spend, 2)  # the spend, not CW302's rework
    assert result.totals.expected_loss == round(max(v.cost.expected_loss for v in result.violations if v.cost), 2)


def test_scan_and_cost_totals_agree_to_the_cent():
    from pathlib import Path

    from costwarden import scan
    from costwarden.reports.cost import breakdown

    examples = Path(__file__).parents[1] / "examples"
    result = scan([str(examples)])
    rows = breakdown(result)
    assert result.totals.monthly_cost == round(sum(row.after for row in rows.rows), 2) == rows.total.after
