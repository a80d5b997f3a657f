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
