from pathlib import Path

import pytest

from costwarden import Config, scan
from costwarden.config import BudgetConfig, MetricsConfig
from costwarden.metrics.file import FileSource
from costwarden.policies.cw201_gpu_underutilized import gpu_underutilized as cw201
from costwarden.policies.cw501_cost_per_inference_over_budget import cost_per_inference_over_budget as cw501
from tests.scanning import with_policies

PLAN = Path(__file__).parents[2] / "examples" / "metrics" / "plan.json"
HOURLY = 21.957642  # p4d.24xlarge, us-east-1


def measured(tmp_path, avg, p95="", memory="12", requests=""):
    path = tmp_path / "m.csv"
    path.write_text(
        f"resource,gpu_util_avg,gpu_util_p95,gpu_memory_peak_gib,window_hours,requests_per_hour\ni-0a1b2c3d4e5f60718,{avg},{p95},{memory},168,{requests}\n"
    )
    return FileSource(path)


def run(policy, source, config=None):
    return scan([str(PLAN)], with_policies(policy, config=config, metrics=[source]))


def test_cw201_fails_on_low_use_with_the_cheapest_fitting_type(tmp_path):
    (violation,) = run(cw201, measured(tmp_path, 9, 14)).violations
    assert violation.remedy.changes == {"instance_type": "p5.4xlarge"}
    assert violation.cost.monthly_savings == pytest.approx((HOURLY - 6.88) * 730, rel=0.05)


def test_cw201_passes_at_the_target_and_uses_p95_when_given(tmp_path):
    assert run(cw201, measured(tmp_path, 75)).violations == ()
    assert run(cw201, measured(tmp_path, 40, 72)).violations == ()  # p95 reaches 70%


def test_cw201_memory_peak_rules_out_small_gpus(tmp_path):
    small = run(cw201, measured(tmp_path, 9, 14, memory="12")).violations[0].remedy.changes["instance_type"]
    big = run(cw201, measured(tmp_path, 9, 14, memory="70")).violations
    assert small == "p5.4xlarge"
    assert big == ()  # 84 GiB a GPU with headroom: no NVIDIA GPU in the catalog holds it more cheaply
    config = Config(metrics=MetricsConfig(inference_target=5))
    assert run(cw201, measured(tmp_path, 9, 14), config).violations == ()


def test_cw501_shows_the_arithmetic_and_passes_under_budget(tmp_path):
    (violation,) = run(cw501, measured(tmp_path, 50, requests=3600)).violations
    per = HOURLY / 3600
    assert (
        violation.message
        == f"$21.96/h / 3,600 requests/h = ${per:.5f} per inference (${per * 1000:,.2f} per 1,000), over the $0.001 budget"
    )
    assert run(cw501, measured(tmp_path, 50, requests=40000)).violations == ()
    config = Config(budget=BudgetConfig(cost_per_inference_usd=0.01))
    assert run(cw501, measured(tmp_path, 50, requests=3600), config).violations == ()


def test_cw501_needs_a_request_rate(tmp_path):
    assert run(cw501, measured(tmp_path, 50)).violations == ()


def test_export_round_trip(tmp_path):
    import io

    from costwarden.cli import World, main

    source = measured(tmp_path, 9, 14, requests=5400)
    out = io.StringIO()
    code = main(
        ["metrics", "export", str(PLAN), "--metrics-file", str(source.path), "--out", "exported.csv"],
        World(out, io.StringIO(), io.BytesIO(), {}, tmp_path),
    )
    assert code == 0
    exported = FileSource(tmp_path / "exported.csv").rows["i-0a1b2c3d4e5f60718"]
    original = source.rows["i-0a1b2c3d4e5f60718"]
    fields = ("gpu_util_avg", "gpu_util_p95", "gpu_memory_peak_gib", "window_hours", "requests_per_hour")
    assert [getattr(exported, f) for f in fields] == [getattr(original, f) for f in fields]
