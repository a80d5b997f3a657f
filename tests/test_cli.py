import io
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from costwarden.cli import World, main
from tests.plans import FULL_TAGS, change, dumps, plan

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "terraform" / "gpu-fleet" / "plan.json"
REPORT_SCHEMA = json.loads((ROOT / "costwarden" / "reports" / "json-report.schema.json").read_text())


class Run:
    def __init__(self, code, stdout, stderr):
        self.code, self.stdout, self.stderr = code, stdout, stderr

    @property
    def json(self):
        return json.loads(self.stdout)


def run(*argv, cwd=None, stdin=b"", environ=None):
    out, err = io.StringIO(), io.StringIO()
    world = World(out, err, io.BytesIO(stdin), environ or {}, cwd or Path.cwd())
    code = main(list(argv), world)
    return Run(code, out.getvalue(), err.getvalue())


def write_plan(path, *changes):
    path.write_bytes(dumps(plan(*changes)))
    return path


def tagged(address="aws_instance.a"):
    return change(address, {"instance_type": "t3.micro", "tags_all": FULL_TAGS})


def untagged(address="aws_instance.b"):
    return change(address, {"instance_type": "g5.xlarge", "tags_all": {}})


def test_example_fails_on_high_with_dollars():
    result = run("scan", str(EXAMPLE))
    assert result.code == 1
    assert "CW101" in result.stdout and "aws_instance.trainer" in result.stdout
    assert "$16,029.08" in result.stdout
    assert "catalog 2026.11.29" in result.stdout
    assert result.stderr == ""


def test_clean_plan_exits_zero(tmp_path):
    result = run("scan", str(write_plan(tmp_path / "p.json", tagged())))
    assert (result.code, "PASSED" in result.stdout) == (0, True)


def test_json_report_matches_its_schema():
    result = run("scan", str(EXAMPLE), "-o", "json")
    jsonschema.validate(result.json, REPORT_SCHEMA)
    report = result.json
    assert report["exit_code"] == 1
    assert report["summary"]["violations"] == len(report["violations"]) == 4
    first = report["violations"][0]
    assert first["cost_impact"]["catalog_version"] == "2026.11.29"
    assert first["location"]["line"] > 1


def test_several_outputs_in_one_run(tmp_path):
    result = run("scan", str(EXAMPLE), "-o", "text", "-o", f"json={tmp_path / 'r.json'}")
    assert "CW101" in result.stdout
    jsonschema.validate(json.loads((tmp_path / "r.json").read_text()), REPORT_SCHEMA)


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["--fail-on", "critical"], 0),
        (["--fail-on", "never"], 0),
        (["--fail-on", "never", "--fail-on-cost", "500"], 1),
        (["--fail-on", "never", "--fail-on-cost", "100000"], 0),
    ],
)
def test_fail_on_thresholds(argv, code):
    assert run("scan", str(EXAMPLE), *argv).code == code


def test_config_file_sets_thresholds(tmp_path):
    (tmp_path / ".costwarden.yaml").write_text("fail_on: never\n")
    assert run("scan", str(EXAMPLE), cwd=tmp_path).code == 0
    assert run("scan", str(EXAMPLE), "--fail-on", "high", cwd=tmp_path).code == 1


def test_bad_inputs_one_line_each_and_the_rest_still_reported(tmp_path):
    good = write_plan(tmp_path / "good.json", untagged())
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "truncated.json").write_bytes(dumps(plan(untagged()))[:-40])
    (tmp_path / "not-a-plan.json").write_text('{"name": "left-pad"}')
    (tmp_path / "missing.json").symlink_to(tmp_path / "nowhere.json")
    (tmp_path / "empty-dir").mkdir()
    names = ["empty.json", "truncated.json", "not-a-plan.json", "missing.json", "empty-dir"]
    result = run("scan", str(good), *(str(tmp_path / n) for n in names), "-o", "json")
    assert result.code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 5
    for name, line in zip(names, lines, strict=True):
        assert line.startswith(f"costwarden: error: {tmp_path / name}")
    assert "empty file" in lines[0]
    assert "truncated JSON" in lines[1]
    assert "not a Terraform plan" in lines[2]
    assert "missing.json: no such file or directory" in lines[3]
    assert "no inputs found" in lines[4]
    assert [v["address"] for v in result.json["violations"]] == ["aws_instance.b"]
    assert len(result.json["errors"]) == 5


def test_errors_are_in_the_text_report_when_it_is_on_stdout(tmp_path):
    (tmp_path / "empty.json").write_bytes(b"")
    result = run("scan", str(tmp_path / "empty.json"))
    assert result.code == 2
    assert "empty.json: empty file" in result.stdout
    assert result.stderr == ""


def test_directory_is_walked_for_plans(tmp_path):
    write_plan(tmp_path / "a.json", untagged())
    (tmp_path / "sub").mkdir()
    write_plan(tmp_path / "sub" / "b.json", untagged("aws_instance.c"))
    (tmp_path / "package.json").write_text('{"name": "x"}')
    (tmp_path / ".terraform").mkdir()
    write_plan(tmp_path / ".terraform" / "hidden.json", untagged("aws_instance.hidden"))
    result = run("scan", str(tmp_path), "-o", "json")
    assert sorted(v["address"] for v in result.json["violations"]) == [
        "aws_instance.b",
        "aws_instance.c",
    ]
    assert result.json["errors"] == []


def test_stdin():
    result = run("scan", "-", "-o", "json", stdin=dumps(plan(untagged())))
    assert result.json["inputs"] == ["<stdin>"]
    assert result.json["violations"][0]["location"]["path"] == "<stdin>"


def test_config_error_is_one_line_exit_2(tmp_path):
    (tmp_path / ".costwarden.yaml").write_text("fail_on: high\nunknown_key: 1\n")
    result = run("scan", str(EXAMPLE), cwd=tmp_path)
    assert result.code == 2
    assert result.stderr == f"costwarden: error: {tmp_path / '.costwarden.yaml'}:2: unknown_key: unknown key\n"


def test_missing_config_file(tmp_path):
    result = run("scan", str(EXAMPLE), "--config", str(tmp_path / "nope.yaml"))
    assert (result.code, "config file not found" in result.stderr) == (2, True)


@pytest.mark.parametrize(
    "argv",
    [
        ["scan"],
        ["scan", "x", "-o", "yaml"],
        ["scan", "x", "--fail-on", "severe"],
        ["scan", "x", "--fail-on-cost", "lots"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(argv, capsys):
    assert run(*argv).code == 2


def test_unwritable_report_target(tmp_path):
    result = run("scan", str(EXAMPLE), "-o", f"json={tmp_path / 'no' / 'dir' / 'r.json'}")
    assert (result.code, "cannot write report" in result.stderr) == (2, True)


def test_policies_and_config_schema_and_version(capsys):
    listing = run("policies").stdout
    assert "CW101  missing-cost-allocation-tags" in listing and "CW102  invalid-tag-value" in listing
    schema = json.loads(run("config", "schema").stdout)
    assert "tags" in schema["properties"]
    version = run("--version")
    assert (version.code, version.stdout) == (0, "costwarden 0.1.0\n")  # on the world's stdout, not the process's


def test_real_process_has_no_traceback_for_user_errors(tmp_path):
    (tmp_path / "bad.json").write_text("{ not json")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "costwarden",
            "scan",
            str(tmp_path / "bad.json"),
            str(EXAMPLE),
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert (
        done.stderr.strip()
        == f"costwarden: error: {tmp_path / 'bad.json'}:1: invalid JSON: expecting property name enclosed in double quotes (column 3)"
    )
    assert len(json.loads(done.stdout)["violations"]) == 4
