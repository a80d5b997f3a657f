"""Hostile inputs: each one is a one-line error naming the file (exit 2), in bounded time and
memory, and never a crash, a hang or an infinite or negative dollar figure."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from costwarden import Document, scan
from tests.cli_run import run_cli
from tests.plans import change, dumps, plan

ROOT = Path(__file__).parents[1]
MEASURED = (  # VmHWM: this process's own peak (ru_maxrss would carry the forking parent's)
    "import sys\n"
    "from costwarden.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "peak = next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]\n"
    "print(f'maxrss_kib={peak}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def measured(cwd: Path, *argv: str, timeout: float = 60) -> tuple[int, str, float, int]:
    """A fresh process: exit code, stderr (less the measurement), seconds, peak memory in MiB."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    lines = done.stderr.splitlines()
    peak = int(next(line for line in lines if line.startswith("maxrss_kib=")).split("=")[1]) // 1024
    said = "\n".join(line for line in lines if not line.startswith("maxrss_kib="))
    return done.returncode, said, time.monotonic() - started, peak


def bomb(levels: int = 9) -> str:
    names = [f"l{i}" for i in range(levels)]
    lines = [f'x0: &{names[0]} ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [{', '.join(f'*{previous}' for _ in range(9))}]")
    return "\n".join(f"      {line}" for line in lines)


BOMB_DEPLOYMENT = f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: lol}}
spec:
  template:
    spec:
      containers:
      - name: c
        image: x
        args:
          - &args
{bomb()}
"""


def test_a_yaml_alias_bomb_is_refused_fast_and_small(tmp_path):
    (tmp_path / "bomb.yaml").write_text(BOMB_DEPLOYMENT)
    code, err, seconds, peak = measured(tmp_path, "scan", "bomb.yaml", "-o", "json=r.json")
    assert code == 2, err
    assert re.fullmatch(r"costwarden: error: bomb\.yaml:\d+: YAML aliases expand beyond 500,000 nodes", err), err
    assert seconds < 20 and peak < 400


def test_an_alias_bomb_under_raw_rego_input_is_refused_too(tmp_path):
    (tmp_path / "bomb.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n" + bomb())
    (tmp_path / "p.rego").write_text('package main\nimport rego.v1\ndeny contains "x" if { input.kind == "Nope" }\n')
    code, err, seconds, peak = measured(
        tmp_path, "scan", "bomb.yaml", "-p", "p.rego", "--rego-input", "raw", "-o", "json=r.json"
    )
    assert code == 2 and "YAML aliases expand beyond" in err
    assert seconds < 20 and peak < 400


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply to read"),
        (
            "deep.yaml",
            "apiVersion: v1\nkind: Pod\nspec: " + "[" * 5_000 + "]" * 5_000 + "\n",
            "nest",  # libyaml stops at 1,000 levels, costwarden at 200
        ),
        ("deep.tf", "locals {\n  x = " + "[" * 5_000 + "]" * 5_000 + "\n}\n", "nested too deeply to read"),
        ("self.yaml", "apiVersion: v1\nkind: Pod\nmetadata: &a {name: p, loop: *a}\n", ""),
        (
            "nan.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {replicas: .nan, containers: []}\n",
            "nan.yaml:4: invalid YAML: .nan is not a number",
        ),
        ("nan.json", '{"apiVersion": "v1", "kind": "Pod", "spec": {"replicas": NaN}}', "NaN is not a JSON number"),
        (
            "digits.json",
            '{"format_version": "1.2", "resource_changes": [], "x": ' + "9" * 100_000 + "}",
            "Exceeds the limit",
        ),
        ("digits.yaml", "apiVersion: v1\nkind: Pod\nspec: {replicas: " + "9" * 100_000 + "}\n", "Exceeds the limit"),
    ],
)
def test_deep_recursive_and_unreadable_numbers_are_one_line_errors(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    run = run_cli(tmp_path, "scan", name, "-o", "json")
    assert run.code == 2, run.err
    (line,) = run.err.splitlines()
    assert line.startswith(f"costwarden: error: {tmp_path / name}") and message in line


def test_a_symlink_to_dev_zero_and_a_fifo_are_refused_without_reading(tmp_path):
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "pipe.yaml")
    code, err, seconds, _ = measured(tmp_path, "scan", "zero.json", "pipe.yaml", "-o", "json=r.json", timeout=30)
    assert code == 2 and seconds < 20
    assert err.splitlines() == [
        "costwarden: error: zero.json: not a regular file or a directory",
        "costwarden: error: pipe.yaml: not a regular file or a directory",
    ]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    with (tmp_path / "huge.json").open("wb") as stream:
        stream.truncate(2 << 30)  # 2 GiB, sparse
    code, err, seconds, peak = measured(tmp_path, "scan", "huge.json", "-o", "json=r.json")
    assert code == 2 and peak < 300 and seconds < 20
    assert err == "costwarden: error: huge.json: larger than 536,870,912 bytes (--max-input-bytes): not read"
    (tmp_path / "plan.json").write_bytes(dumps(plan(change("aws_instance.a", {"instance_type": "g5.xlarge"}))))
    run = run_cli(tmp_path, "scan", "plan.json", "--max-input-bytes", "100", "-o", "json")
    assert run.code == 2 and "larger than 100 bytes" in run.err


def test_a_huge_tf_file_is_refused(tmp_path):
    (tmp_path / "main.tf").write_text("locals {\n  x = <<EOT\n" + "x" * (9 << 20) + "\nEOT\n}\n")
    code, err, _, peak = measured(tmp_path, "scan", ".", "-o", "json=r.json")
    assert code == 2 and "larger than 8 MiB: a .tf file this size is not read" in err
    assert peak < 300


def test_stdin_is_bounded_too():
    import io

    from costwarden import ScanOptions

    result = scan("-", ScanOptions(max_input_bytes=10), stdin=io.BytesIO(b"x" * 100))
    assert result.errors[0].message == "larger than 10 bytes (--max-input-bytes): not read"


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            {"instance_type": "g5.xlarge", "desired_capacity": int("1" * 400), "max_size": 1, "min_size": 1},
            "(400 digits)",
        ),
        (
            {"instance_type": "g5.xlarge", "desired_capacity": 1e308, "max_size": 1, "min_size": 1},
            "is not between 0 and 100000",
        ),
        (
            {"instance_type": "g5.xlarge", "desired_capacity": -3, "max_size": 1, "min_size": 1},
            "count -3 is not between",
        ),
    ],
)
def test_counts_out_of_bounds_are_errors_on_the_resource_never_dollars(attributes, message):
    document = plan(change("aws_autoscaling_group.g", {**attributes, "mixed_instances_policy": []}))
    result = scan(Document("p.json", dumps(document)))
    assert result.exit_code() == 2
    (error,) = result.errors
    assert message in error.message and error.address == "aws_autoscaling_group.g" and error.line
    assert result.costs == {} and result.totals.monthly_cost == 0


def test_negative_replicas_never_make_a_negative_total(tmp_path):
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: -5\n  template:\n    spec:\n"
    text += "      nodeSelector: {node.kubernetes.io/instance-type: g5.xlarge}\n"
    text += "      containers: [{name: c, image: vllm, resources: {limits: {nvidia.com/gpu: 1}}}]\n"
    result = scan(Document("d.yaml", text.encode()))
    assert result.exit_code() == 2 and "count -5 is not between 0 and 100000" in result.errors[0].message
    assert result.totals.monthly_cost >= 0 and result.totals.monthly_cost_at_stake >= 0
    json.dumps(json.loads(json.dumps([v.cost.__repr__() for v in result.violations])), allow_nan=False)


def test_duplicate_keys_are_a_warning_naming_both_lines():
    text = b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 8\n  replicas: 0\n  template: {spec: {containers: []}}\n"
    result = scan(Document("d.yaml", text))
    assert "d.yaml:6: duplicate key 'replicas' (lines 5 and 6): the value at line 6 is used" in [
        str(w) for w in result.warnings
    ]


def test_our_own_depth_limit_holds_below_libyamls_where_aliases_could_multiply_it():
    text = "apiVersion: v1\nkind: Pod\nmetadata: &m {name: p}\nspec: " + "[" * 300 + "]" * 300 + "\n"
    (error,) = scan(Document("deep.yaml", text.encode())).errors
    assert str(error) == "deep.yaml:4: YAML nested deeper than 200 levels"
