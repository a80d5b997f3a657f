import io
import json
from pathlib import Path

import pytest

from costwarden import Document, scan
from costwarden.cli import World, main
from costwarden.reports.cost import breakdown, render_json
from tests.plans import FULL_TAGS, change, dumps, plan
from tests.scanning import NO_POLICIES

EXAMPLE = Path(__file__).parents[2] / "examples" / "terraform" / "gpu-fleet" / "plan.json"


def run(*argv, cwd=None):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), World(out, err, io.BytesIO(), {}, cwd or Path.cwd()))
    return code, out.getvalue(), err.getvalue()


def test_totals_equal_the_sum_of_rows_and_groups():
    code, out, _ = run("cost", str(EXAMPLE), "-o", "json")
    assert code == 0
    report = json.loads(out)
    rows = report["resources"]
    for key in ("monthly_before", "monthly_after", "monthly_change"):
        assert report["total"][key] == pytest.approx(sum(r[key] for r in rows), abs=1e-9)
        for grouping in ("by_team", "by_service"):
            assert report["total"][key] == pytest.approx(sum(g[key] for g in report[grouping]), abs=1e-9)
    assert report["total"]["monthly_after"] == 31798.26
    assert report["catalog"] == {"version": "2026.11.29", "date": "2026-11-29"}
    teams = {g["name"]: g["monthly_after"] for g in report["by_team"]}
    assert teams == {"ml-platform": 28259.22, "ml-serving": 3539.04}


def test_updates_show_before_and_after_and_deletes_show_savings():
    gone = change(
        "aws_instance.old", None, actions=("delete",), before={"instance_type": "p4d.24xlarge", "tags_all": FULL_TAGS}
    )
    resized = change(
        "aws_instance.web",
        {"instance_type": "m5.2xlarge", "tags_all": {}},
        actions=("update",),
        before={"instance_type": "m5.large"},
    )
    same = change(
        "aws_instance.same", {"instance_type": "m5.large"}, actions=("no-op",), before={"instance_type": "m5.large"}
    )
    data = breakdown(scan(Document("p.json", dumps(plan(gone, resized, same))), NO_POLICIES))
    rows = {r.address: r for r in data.rows}
    assert (rows["aws_instance.old"].before, rows["aws_instance.old"].after) == (16029.08, 0.0)
    assert rows["aws_instance.old"].change == -16029.08
    assert (rows["aws_instance.web"].before, rows["aws_instance.web"].after) == (70.08, 280.32)
    assert rows["aws_instance.same"].change == 0
    assert data.total.change == pytest.approx(-16029.08 + 210.24)
    teams = {g.name for g in data.by_team}
    assert teams == {"ml-platform", "(untagged)"}


def test_unpriced_resources_are_listed():
    data = breakdown(
        scan(
            Document(
                "p.json",
                dumps(plan(change("aws_instance.x", {"instance_type": None}, after_unknown={"instance_type": True}))),
            ),
            NO_POLICIES,
        )
    )
    assert data.rows == ()
    assert "instance type not in the plan" in data.unpriced[0].message
    stream = io.StringIO()
    render_json(data, stream)
    assert json.loads(stream.getvalue())["unpriced"][0]["address"] == "aws_instance.x"


def test_text_breakdown_and_usage_file(tmp_path):
    usage = tmp_path / "usage.yml"
    usage.write_text("resource_usage:\n  aws_instance.trainer:\n    hours_per_month: 73\n")
    code, out, _ = run("cost", str(EXAMPLE), "--usage-file", str(usage))
    assert code == 0
    assert "$1,602.91" in out  # 21.957642 x 73
    assert "By finops:team" in out and "By finops:service" in out


def test_usage_file_named_in_config_is_relative_to_it(tmp_path):
    (tmp_path / "usage.yml").write_text("resource_usage:\n  aws_instance.trainer:\n    hours_per_month: 73\n")
    (tmp_path / ".costwarden.yaml").write_text("usage_file: usage.yml\n")
    code, out, _ = run("cost", str(EXAMPLE), "-o", "json", cwd=tmp_path)
    assert code == 0
    trainer = next(r for r in json.loads(out)["resources"] if r["address"] == "aws_instance.trainer")
    assert trainer["monthly_after"] == 1602.91


def test_bad_usage_file_is_exit_2_one_line(tmp_path):
    usage = tmp_path / "usage.yml"
    usage.write_text("resource_usage:\n  a:\n    hours: 1\n")
    code, _, err = run("scan", str(EXAMPLE), "--usage-file", str(usage))
    assert code == 2
    assert err == f"costwarden: error: {usage}:3: resource_usage.a.hours: unknown key\n"


def test_cost_of_a_bad_input_is_exit_2_and_the_rest_still_priced(tmp_path):
    (tmp_path / "bad.json").write_text("{")
    code, out, err = run("cost", str(tmp_path / "bad.json"), str(EXAMPLE), "-o", "json")
    assert code == 2
    assert "bad.json:1: truncated JSON" in err
    assert json.loads(out)["total"]["monthly_after"] == 31798.26


def test_cost_components_are_quantity_times_unit_price_and_add_up(tmp_path):
    code, out, _ = run("cost", str(EXAMPLE), "-o", "json")
    assert code == 0
    for row in json.loads(out)["resources"]:
        parts = row["components"]
        assert round(sum(c["monthly_cost"] for c in parts), 2) == pytest.approx(row["monthly_after"], abs=0.011)
        for c in parts:
            assert c["monthly_cost"] == pytest.approx(round(c["quantity"] * c["unit_price"], 2), abs=0.005)
    trainer = next(r for r in json.loads(out)["resources"] if r["address"] == "aws_instance.trainer")
    assert trainer["components"] == [
        {
            "name": "p4d.24xlarge (on-demand)",
            "quantity": 730,
            "unit": "instance-hours",
            "unit_price": 21.957642,
            "monthly_cost": 16029.08,
        }
    ]
    code, text, _ = run("cost", str(EXAMPLE), "--breakdown", "--no-color")
    assert "└ p4d.24xlarge (on-demand): 730 instance-hours x $21.957642" in text


def test_cost_takes_scans_output_and_threshold_flags(tmp_path):
    code, out, _ = run("cost", str(EXAMPLE), "-o", f"json={tmp_path / 'c.json'}", "-o", f"markdown={tmp_path / 'c.md'}")
    assert code == 0 and "Total" in out  # files written, and the terminal still sees the table
    assert json.loads((tmp_path / "c.json").read_text())["total"]["monthly_after"] == 31798.26
    markdown = (tmp_path / "c.md").read_text()
    assert (
        markdown.startswith("## costwarden: +$31,798.26/month")
        and "| <code>aws\\_instance.trainer</code> | create |" in markdown
    )
    assert run("cost", str(EXAMPLE), "--fail-on-cost", "30000", "-o", "json")[0] == 1
    assert run("cost", str(EXAMPLE), "--fail-on-cost", "40000", "-o", "json")[0] == 0
    assert run("cost", str(EXAMPLE), "-o", f"json={tmp_path / 'q.json'}", "--quiet")[1] == ""


def test_cost_diff_base_takes_before_from_an_earlier_report(tmp_path):
    earlier = {
        "resources": [
            {"address": "aws_instance.trainer", "monthly_after": 20000.0},
            {"address": "aws_instance.retired", "monthly_after": 100.0},
        ]
    }
    (tmp_path / "base.json").write_text(json.dumps(earlier))
    code, out, _ = run("cost", str(EXAMPLE), "--diff-base", str(tmp_path / "base.json"), "-o", "json")
    assert code == 0
    report = json.loads(out)
    rows = {r["address"]: r for r in report["resources"]}
    assert rows["aws_instance.trainer"]["monthly_change"] == pytest.approx(16029.08 - 20000.0)
    assert rows["aws_instance.retired"]["monthly_change"] == -100.0
    assert report["total"]["monthly_before"] == 20100.0 and report["base"] == str(tmp_path / "base.json")
    (tmp_path / "bad.json").write_text("{}")
    code, _, err = run("cost", str(EXAMPLE), "--diff-base", str(tmp_path / "bad.json"))
    assert code == 2 and "not a costwarden cost JSON report" in err
