"""The same folder, config, waivers, usage file and baseline scan the same way in every shell:
the library, ``costwarden scan``, ``costwarden github-action``, ``costwarden baseline create``,
``costwarden cost`` and the real ``costwarden serve``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import costwarden
from tests.cli_run import run_cli
from tests.plans import change, dumps, plan
from tests.runtask.conftest import Server, wait_for
from tests.runtask.fake_tfc import Recorder, tfc_pair

P4D_HOURLY = 21.957643835616438  # p4d.24xlarge, us-east-1, on demand: $16,029.08 / 730 h
USAGE_HOURS = 200

CONFIG = """\
usage_file: usage.yaml
baseline_file: baseline.json
tags:
  required: [finops:team]
"""
USAGE = f"""\
version: 0.1
resource_usage:
  aws_instance.trainer:
    hours_per_month: {USAGE_HOURS}
"""
WAIVERS = """\
waivers:
  - policy: CW101
    resource: aws_instance.web
    reason: the web tier is tagged by the platform team's module next sprint
    owner: web@example.com
    expires: 2099-01-01
  - policy: CW101
    resource: aws_instance.batch
    reason: a waiver that ran out
    owner: batch@example.com
    expires: 2020-01-01
"""


def instance(name: str, instance_type: str) -> dict[str, Any]:
    return change(f"aws_instance.{name}", {"instance_type": instance_type, "ami": "ami-1", "tags": None})


def the_plan() -> bytes:
    return dumps(
        plan(
            instance("trainer", "p4d.24xlarge"),
            instance("web", "g5.xlarge"),
            instance("old", "g4dn.xlarge"),
            instance("batch", "g5.2xlarge"),
        )
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shells")
    (root / "plan.json").write_bytes(the_plan())
    seed = root / "seed"  # the baseline: what was already there when it was made
    seed.mkdir()
    (seed / "plan.json").write_bytes(dumps(plan(instance("old", "g4dn.xlarge"))))
    (seed / ".costwarden.yaml").write_text("tags:\n  required: [finops:team]\n")
    made = run_cli(seed, "baseline", "create", "plan.json", "--out", str(root / "baseline.json"))
    assert made.code == 0, made.err
    (root / ".costwarden.yaml").write_text(CONFIG)
    (root / "usage.yaml").write_text(USAGE)
    (root / ".costwarden-waivers.yaml").write_text(WAIVERS)
    return root


@pytest.fixture(scope="module")
def expected(folder: Path) -> costwarden.ScanResult:
    result = costwarden.scan([str(folder / "plan.json")], costwarden.prepare(folder / ".costwarden.yaml"))
    assert not result.errors, result.errors
    return result


def summary(violations: list[dict[str, Any]]) -> set[tuple[str, str, float]]:
    return {(v["policy_id"], v["address"], v["cost_impact"]["monthly_cost"]) for v in violations}


def from_result(result: costwarden.ScanResult) -> dict[str, Any]:
    return {
        "violations": {(v.policy_id, v.address, round(v.cost.monthly_cost, 2)) for v in result.violations if v.cost},
        "suppressed": {(v.policy_id, v.address, v.suppression.kind) for v in result.suppressed if v.suppression},
        "at_stake": round(result.totals.monthly_cost_at_stake, 2),
        "monthly_cost": round(result.totals.monthly_cost, 2),
    }


def from_report(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "violations": summary(report["violations"]),
        "suppressed": {(v["policy_id"], v["address"], v["suppression"]["kind"]) for v in report["suppressed"]},
        "at_stake": report["summary"]["monthly_cost_at_stake"],
        "monthly_cost": report["summary"]["monthly_cost"],
    }


def test_the_library_result_honours_the_waiver_the_usage_file_and_the_baseline(
    expected: costwarden.ScanResult,
) -> None:
    seen = from_result(expected)
    assert seen["suppressed"] == {("CW101", "aws_instance.web", "waiver"), ("CW101", "aws_instance.old", "baseline")}
    assert {(p, a) for p, a, _ in seen["violations"]} == {
        ("CW101", "aws_instance.trainer"),
        ("CW101", "aws_instance.batch"),
    }
    assert ("CW101", "aws_instance.trainer", round(P4D_HOURLY * USAGE_HOURS, 2)) in seen["violations"]
    assert any("expired on 2020-01-01" in w.message for w in expected.warnings)


def test_the_library_without_options_reads_the_config_of_its_working_folder(
    folder: Path, expected: costwarden.ScanResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder)
    assert from_result(costwarden.scan(["plan.json"])) == from_result(expected)


def test_costwarden_scan(folder: Path, expected: costwarden.ScanResult) -> None:
    run = run_cli(folder, "scan", "plan.json", "-o", "json")
    assert run.code == 1, run.err
    assert from_report(run.report) == from_result(expected)


def test_the_github_action(folder: Path, expected: costwarden.ScanResult, tmp_path: Path) -> None:
    environ = {"GITHUB_WORKSPACE": str(folder), "RUNNER_TEMP": str(tmp_path), "INPUT_PATHS": "plan.json"}
    run = run_cli(tmp_path, "github-action", environ=environ)
    assert run.code == 1, run.err
    report = json.loads((tmp_path / "costwarden" / "costwarden.json").read_text())
    assert from_report(report) == from_result(expected)


def test_baseline_create_records_what_counts_today(
    folder: Path, expected: costwarden.ScanResult, tmp_path: Path
) -> None:
    run = run_cli(folder, "baseline", "create", "plan.json", "--out", str(tmp_path / "b.json"))
    assert run.code == 0, run.err
    recorded = {(e["policy_id"], e["address"]) for e in json.loads((tmp_path / "b.json").read_text())["violations"]}
    counted = {(v.policy_id, v.address) for v in expected.violations}
    in_baseline = {(v.policy_id, v.address) for v in expected.suppressed if v.suppression.kind == "baseline"}
    assert recorded == counted | in_baseline  # waived violations are not recorded


def test_costwarden_cost(folder: Path, expected: costwarden.ScanResult) -> None:
    run = run_cli(folder, "cost", "plan.json", "-o", "json")
    assert run.code == 0, run.err
    assert run.report["total"]["monthly_after"] == pytest.approx(expected.totals.monthly_cost, abs=0.01)
    trainer = next(r for r in run.report["resources"] if r["address"] == "aws_instance.trainer")
    assert trainer["monthly_after"] == pytest.approx(P4D_HOURLY * USAGE_HOURS, abs=0.01)


@pytest.fixture
def api() -> Iterator[Recorder]:
    api, archive = tfc_pair()
    yield api
    api.close()
    archive.close()


def test_the_run_task_server(folder: Path, expected: costwarden.ScanResult, api: Recorder, tmp_path: Path) -> None:
    workdir = tmp_path / "server"
    workdir.mkdir()
    server = Server(workdir, api, "--config", str(folder / ".costwarden.yaml"))
    server.start()
    try:
        api.plans["plan-s1"] = the_plan()
        assert server.post(server.payload("s1")).status_code == 200
        (final,) = wait_for(lambda: api.final("s1"))
    finally:
        server.stop()
    attributes = final["data"]["attributes"]
    assert attributes["status"] == "failed"
    totals = expected.totals
    assert f"{totals.violations} violations" in attributes["message"]
    assert f"${totals.monthly_cost_at_stake:,.2f}/month at stake" in attributes["message"]
    assert "2 suppressed (1 baseline, 1 waiver)" in attributes["message"]
    outcomes = {
        (o["attributes"]["outcome-id"], o["attributes"]["description"].split(":")[0]): o["attributes"]
        for o in final["data"]["relationships"]["outcomes"]["data"]
    }
    assert set(outcomes) == {(v.policy_id, v.address) for v in expected.violations}
    trainer = outcomes[("CW101", "aws_instance.trainer")]
    assert trainer["tags"]["Cost"][0]["label"] == f"${P4D_HOURLY * USAGE_HOURS:,.2f}/mo"  # the usage file applied
