import dataclasses

import pytest

from costwarden.model import Compute, Remedy
from costwarden.pricing import Quote, Unpriced, quote, shipped_catalog
from costwarden.pricing.impact import apply_remedy

CATALOG = shipped_catalog()
M5 = 0.096  # us-east-1 m5.large, USD/hour


def price(**changes):
    base = {"provider": "aws", "instance_type": "m5.large", "region": "us-east-1"}
    return quote(Compute(**{**base, **changes}), CATALOG)


def test_monthly_is_hourly_times_count_times_730():
    result = price(count=3)
    assert isinstance(result, Quote)
    assert result.hourly == pytest.approx(3 * M5)
    assert result.monthly == pytest.approx(3 * M5 * 730)
    assert "m5.large $0.096/h on-demand in us-east-1" in result.basis
    assert "KARPENTER_US_EAST_1_2026_07_20 (2026-07-20)" in result.basis


def test_hours_per_month_from_a_schedule():
    assert price(hours_per_month=200).monthly == pytest.approx(M5 * 200)


def test_spot_uses_the_type_saving_in_its_region_from_the_spot_advisor():
    result = price(instance_type="g5.xlarge", market="spot", count=2)
    assert result.hourly == pytest.approx(2 * 1.006 * (1 - 0.56))  # aws_spot_interruption.tsv, 2025-11-30
    assert "spot at g5.xlarge's 56% saving in us-east-1 (Spot Advisor, TSAOL_VANTAGE_2025_11_30, 2025-11-30)" in (
        result.basis
    )


def test_spot_without_a_known_discount_is_an_upper_bound_said_so():
    result = price(market="spot")
    assert result.hourly == pytest.approx(M5)
    assert "spot priced at on-demand (no spot price or typical saving known: an upper bound)" in result.basis


def test_mixed_fleet():
    discount, _ = CATALOG.spot_discount_pct("aws", "g5.xlarge", "us-east-1")
    on_demand = CATALOG.ec2_on_demand("us-east-1", "g5.xlarge").usd
    result = price(instance_type="g5.xlarge", market="mixed", count=10, spot_count=4)
    assert result.hourly == pytest.approx(6 * on_demand + 4 * on_demand * (1 - discount / 100))
    assert "6 on-demand + 4 spot" in result.basis


def test_zero_instances_cost_zero():
    assert price(count=0).monthly == 0


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"instance_type": None}, "instance type not in the plan"),
        ({"count": None}, "instance count unknown until apply"),
        (
            {"region": "us-west-2", "instance_type": "r5.large"},
            "no EC2 price for r5.large in us-west-2; priced in us-east-1",
        ),
        ({"instance_type": "x9.huge"}, "'x9.huge' is not an EC2 instance type in the catalog"),
        ({"provider": "oracle"}, "no cost model for oracle ec2"),
    ],
)
def test_unpriced_says_why(changes, reason):
    result = price(**changes)
    assert isinstance(result, Unpriced)
    assert reason in result.reason


def test_region_assumed_is_in_the_basis():
    assert "region us-east-1 assumed (none declared)" in price(region_assumed=True).basis


def test_apply_remedy_changes_compute_fields_and_reports_the_rest():
    compute = Compute(provider="aws", instance_type="p4d.24xlarge", region="us-east-1")
    (changed,), ignored = apply_remedy(compute, Remedy({"instance_type": "g6e.12xlarge", "checkpointing": True}))
    assert changed.instance_type == "g6e.12xlarge"
    assert ignored == ["checkpointing"]


@pytest.mark.parametrize(
    ("changes", "monthly"),
    [
        ({"market": "spot"}, 4 * M5 * 730),  # m5 has no spot figure: the upper bound
        ({"replicas": 1}, 1 * M5 * 730),
        ({"hours_per_month": 200}, 4 * M5 * 200),
        ({"active_hours_per_month": 260}, 4 * M5 * 260),
        ({"min_replicas": 0, "active_hours_per_month": 260}, 4 * M5 * 260),
        ({"min_replicas": 1, "active_hours_per_month": 260}, M5 * 730 + 3 * M5 * 260),
    ],
)
def test_remedies_priced_as_changes(changes, monthly):
    compute = Compute(provider="aws", instance_type="m5.large", region="us-east-1", count=4)
    parts, ignored = apply_remedy(compute, Remedy(changes))
    assert ignored == []
    assert sum(quote(part, CATALOG).monthly for part in parts) == pytest.approx(monthly)


def test_training_job_priced_per_run_and_per_month():
    compute = Compute(
        provider="aws",
        instance_type="ml.p3.2xlarge",
        region="us-east-1",
        count=2,
        service="sagemaker",
        workload="training",
        run_hours=10,
    )
    once = quote(compute, CATALOG)
    assert once.monthly == pytest.approx(2 * 3.825 * 10)
    assert "$76.50 per run of at most 10 h; 1 run/month assumed (set runs_per_month in the usage file)" in once.basis
    assert "SageMaker training" in once.basis
    weekly = quote(dataclasses.replace(compute, runs_per_month=4), CATALOG)
    assert weekly.monthly == pytest.approx(4 * 76.5)


def test_a_missing_region_is_priced_elsewhere_only_when_asked():
    assert isinstance(price(instance_type="r5.large", region="eu-west-1"), Unpriced)
    borrowed = quote(
        Compute(provider="aws", instance_type="r5.large", region="eu-west-1"),
        CATALOG.with_fallback_region("us-east-1"),
    )
    assert isinstance(borrowed, Quote)
    assert borrowed.hourly == CATALOG.ec2_on_demand("us-east-1", "r5.large").usd
    assert "at us-east-1's rate (no price in eu-west-1; --price-fallback-region)" in borrowed.basis
    assert CATALOG.fallback_region is None  # the shipped catalog is not changed
