"""One error handler at the top: user errors exit 2, bugs exit 3 with one line and a logged
traceback, Ctrl-C 130, a closed stdout quietly; a failing reporter loses no other output."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from costwarden.cli import COMMANDS, World, main, parser
from costwarden.reports import REPORTERS
from tests.cli_run import run_cli
from tests.plans import change, dumps, plan


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "plan.json").write_bytes(
        dumps(plan(change("aws_instance.a", {"instance_type": "g5.xlarge", "tags": None})))
    )
    return tmp_path


def explode(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom\nand more on a second line")


def test_an_internal_error_is_one_line_exit_3_and_a_logged_traceback(folder, monkeypatch):
    monkeypatch.setattr("costwarden.cli.scan.scan", explode)
    run = run_cli(folder, "scan", "plan.json", environ={"XDG_CACHE_HOME": str(folder / "cache")})
    assert run.code == 3
    log = folder / "cache" / "costwarden" / "costwarden.log"
    assert run.err.splitlines() == [
        f"costwarden: internal error: RuntimeError: boom (traceback in {log}; please report it)"
    ]
    assert "Traceback (most recent call last)" in log.read_text()
    assert "and more on a second line" in log.read_text()


@pytest.mark.parametrize(("argv", "environ"), [(["--debug"], {}), ([], {"COSTWARDEN_DEBUG": "1"})])
def test_debug_puts_the_traceback_on_stderr(folder, monkeypatch, argv, environ):
    monkeypatch.setattr("costwarden.cli.scan.scan", explode)
    run = run_cli(folder, *argv, "scan", "plan.json", environ={"XDG_CACHE_HOME": str(folder / "cache"), **environ})
    assert run.code == 3
    assert "Traceback (most recent call last)" in run.err
    assert run.err.splitlines()[-1].startswith("costwarden: internal error: RuntimeError: boom (traceback above")
    assert not (folder / "cache").exists()


def test_a_log_that_cannot_be_written_leaves_the_traceback_on_stderr(folder, monkeypatch):
    monkeypatch.setattr("costwarden.cli.scan.scan", explode)
    (folder / "cache").write_text("a file where the folder should be")
    run = run_cli(folder, "scan", "plan.json", environ={"XDG_CACHE_HOME": str(folder / "cache")})
    assert run.code == 3
    assert "Traceback" in run.err and "(traceback above" in run.err


def test_ctrl_c_exits_130(folder, monkeypatch):
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("costwarden.cli.scan.scan", interrupt)
    run = run_cli(folder, "scan", "plan.json")
    assert (run.code, run.err) == (130, "costwarden: interrupted\n")


class ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError


def test_a_closed_stdout_exits_quietly(folder):
    err = io.StringIO()
    world = World(ClosedPipe(), err, io.BytesIO(), {}, folder)
    assert main(["scan", "plan.json"], world) == 141
    assert err.getvalue() == ""


class Broken:
    def render(self, result, stream, options):
        raise ZeroDivisionError("a bug in this reporter")


def test_a_failing_reporter_leaves_the_other_outputs_written(folder, monkeypatch):
    monkeypatch.setitem(REPORTERS, "sarif", Broken())
    environ = {"XDG_CACHE_HOME": str(folder / "cache")}
    run = run_cli(
        folder, "scan", "plan.json", "-o", "sarif=r.sarif", "-o", "json=r.json", "-o", "junit=r.xml", environ=environ
    )
    assert run.code == 3
    assert "costwarden: internal error in the sarif report: ZeroDivisionError: a bug in this reporter" in run.err
    assert not (folder / "r.sarif").exists()
    assert json.loads((folder / "r.json").read_text())["summary"]["violations"] == 1
    assert (folder / "r.xml").read_text().startswith("<?xml")


def test_a_user_error_is_one_line_and_exit_2(folder):
    run = run_cli(folder, "scan", "plan.json", "-c", "missing.yaml")
    assert (run.code, run.err) == (2, "costwarden: error: missing.yaml: config file not found\n")


def test_every_command_is_in_the_dispatch_table():
    choices = next(a for a in parser()._actions if a.dest == "command").choices
    assert set(choices) == set(COMMANDS)


def test_help_documents_the_exit_codes(capsys):
    assert main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert (
        "0 clean; 1 violations reach --fail-on or --fail-on-cost (or, with --fail-on-unevaluated, something was not"
        " evaluated); 2 usage, config or input error; 3 internal error" in text
    )


def test_files_only_still_print_the_terminal_report_unless_quiet(tmp_path):
    (tmp_path / "plan.json").write_bytes(dumps(plan(change("aws_instance.gpu", {"instance_type": "g5.xlarge"}))))
    run = run_cli(tmp_path, "scan", "plan.json", "-o", "json=r.json")
    assert run.code == 1 and "CW101" in run.out and json.loads((tmp_path / "r.json").read_text())["violations"]
    run = run_cli(tmp_path, "scan", "plan.json", "-o", "json=r.json", "--quiet")
    assert run.code == 1 and run.out == ""
    run = run_cli(tmp_path, "scan", "plan.json", "-o", "json")
    assert run.report["violations"]  # stdout holds only what was asked for


def test_skip_unrecognized_skips_and_counts_a_named_file_that_is_no_input(tmp_path):
    (tmp_path / "airplane-seats.json").write_text('{"rows": [{"seat": "1A", "plan": "economy"}]}')
    (tmp_path / "plan.json").write_bytes(dumps(plan(change("aws_instance.gpu", {"instance_type": "g5.xlarge"}))))
    (tmp_path / "k.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    strict = run_cli(tmp_path, "scan", "airplane-seats.json", "-o", "json")
    assert strict.code == 2  # named and not understood: an error, never a pass
    run = run_cli(
        tmp_path, "scan", "airplane-seats.json", "plan.json", "k.yaml", "--skip-unrecognized",
        "--format", "terraform-plan,terraform-hcl", "-o", "json",
    )  # fmt: skip
    assert run.code == 1, run.err
    skipped = {Path(s["path"]).name: s["reason"] for s in run.report["coverage"]["skipped"]}
    assert skipped == {
        "airplane-seats.json": "not a recognized input (--skip-unrecognized)",
        "k.yaml": "a kubernetes input; this run reads terraform-plan, terraform-hcl",
    }
    assert {v["address"] for v in run.report["violations"]} == {"aws_instance.gpu"}


def test_an_unknown_format_is_a_usage_error(tmp_path):
    run = run_cli(tmp_path, "scan", "x.json", "--format", "terraform-plan,helm")
    assert run.code == 2 and "unknown format 'helm'" in run.err


def test_every_command_module_has_the_help_the_command_list_gives():
    from costwarden.cli import command

    for name, help_text in COMMANDS.items():
        assert help_text == command(name).HELP, name


def test_version_imports_no_command_and_no_engine():
    import subprocess
    import sys

    code = "import sys; from costwarden.cli import main; main(['--version']); print(sorted(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = done.stdout.splitlines()[-1]
    for heavy in (
        "costwarden.cli.scan",
        "costwarden.engine",
        "costwarden.config",
        "pydantic",
        "rich",
        "costwarden.loaders",
    ):
        assert f"'{heavy}'" not in loaded, heavy
