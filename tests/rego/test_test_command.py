import io
import textwrap
from pathlib import Path

from costwarden.cli import World, main

BUILTIN = Path(__file__).parents[2] / "costwarden" / "rego" / "builtin"


def run(*argv, cwd):
    out, err = io.StringIO(), io.StringIO()
    code = main(["test", *argv], World(out, err, io.BytesIO(), {}, cwd))
    return code, out.getvalue(), err.getvalue()


def write(folder, name, text):
    (folder / name).write_text(textwrap.dedent(text))


def test_builtin_pack_passes_with_its_coverage(tmp_path):
    code, out, _ = run(str(BUILTIN), "--threshold", "80", cwd=tmp_path)
    assert code == 0
    assert "PASS data.costwarden.cw101_test.test_missing_tags_fail" in out
    assert out.splitlines()[-1].startswith("11 passed, 0 failed, coverage ")


def test_failing_test_threshold_and_errors(tmp_path):
    write(
        tmp_path,
        "p.rego",
        'package main\nimport rego.v1\ndeny contains "x" if { input.bad }\nwarn contains "y" if { input.never }\n',
    )
    write(
        tmp_path,
        "p_test.rego",
        """
        package main_test
        import rego.v1
        test_denies if { "x" in data.main.deny with input as {"bad": true} }
        test_wrong if { "z" in data.main.deny with input as {"bad": true} }
    """,
    )
    code, out, _ = run(".", "--no-python", cwd=tmp_path)
    assert code == 1
    assert "PASS data.main_test.test_denies" in out and "FAIL data.main_test.test_wrong" in out
    assert "1 passed, 1 failed" in out
    write(
        tmp_path,
        "p_test.rego",
        'package main_test\nimport rego.v1\ntest_denies if { "x" in data.main.deny with input as {"bad": true} }\n',
    )
    code, out, _ = run(".", "--no-python", "--threshold", "99", cwd=tmp_path)
    assert code == 1 and "below the threshold 99%" in out
    write(tmp_path, "broken.rego", "package broken\ndeny contains x if {\n")
    code, _, err = run(".", "--no-python", cwd=tmp_path)
    assert code == 2 and err.startswith(f"costwarden: error: {tmp_path / 'broken.rego'}:")


def test_python_policy_tests_run_with_pytest(tmp_path):
    write(tmp_path, "test_org.py", "def test_ok():\n    assert 1 + 1 == 2\n")
    code, _, _ = run(".", cwd=tmp_path)
    assert code == 0
    write(tmp_path, "test_org.py", "def test_ok():\n    assert 1 + 1 == 3\n")
    code, _, _ = run(".", cwd=tmp_path)
    assert code == 1


def test_data_folders_and_a_failure_names_its_line_and_value(tmp_path):
    (tmp_path / "data" / "limits").mkdir(parents=True)
    write(tmp_path / "data" / "limits", "gpu.yaml", "max_gpus: 8\n")
    write(
        tmp_path,
        "p_test.rego",
        """\
        package p
        import rego.v1

        test_limit_is_read if data.limits.max_gpus == 8

        test_wrong := data.limits.max_gpus

        test_undefined if input.nothing
        """,
    )
    code, out, _ = run(str(tmp_path), "--no-python", "-d", "data", cwd=tmp_path)
    assert code == 1
    assert "PASS data.p.test_limit_is_read" in out
    assert "PASS data.p.test_wrong" in out  # a value that is not false passes, as in OPA
    assert f"FAIL data.p.test_undefined: {tmp_path / 'p_test.rego'}:8: got undefined" in out


def test_without_pytest_the_rego_tests_run_and_one_line_says_the_python_ones_did_not(tmp_path, monkeypatch):
    from costwarden.rego import testing

    write(tmp_path, "p.rego", 'package main\nimport rego.v1\ndeny contains "x" if { input.bad }\n')
    write(
        tmp_path,
        "p_test.rego",
        'package main_test\nimport rego.v1\ntest_d if { "x" in data.main.deny with input as {"bad": true} }\n',
    )
    write(tmp_path, "test_policy.py", "def test_nothing():\n    assert True\n")
    real = testing.importlib.util.find_spec
    monkeypatch.setattr(
        testing.importlib.util, "find_spec", lambda name, *a: None if name == "pytest" else real(name, *a)
    )
    code, out, err = run(str(tmp_path), cwd=tmp_path)
    assert code == 0 and out.splitlines()[-1].startswith("1 passed, 0 failed")
    assert err == (
        "costwarden: warning: 1 Python test file not run: pytest is not installed (pip install pytest, or --no-python)\n"
    )
