"""conftest's acceptance cases (its ``acceptance.bats``, ``tests/*/test.bats`` and ``examples/``
at commit 6a3fd60, 2026-08-22), one line each, on fixtures of our own in ``fixtures/``: the
flags, the exit code and the summary line conftest gives for the same shape of case.

Each case: the conftest case it ports, ``costwarden conftest`` arguments, a file for stdin,
the exit code, the summary line (or ``None``) and text the output must hold.
"""

from __future__ import annotations

import io
import json
import shlex
from pathlib import Path

import pytest

from costwarden.cli import World, main

FIXTURES = Path(__file__).parent / "fixtures"
SUMMARY = "tests, "

CASES = [
    ("fails on root containers", "test -p k8s/policy k8s/deployment.yaml", None, 1,
     "6 tests, 3 passed, 0 warnings, 3 failures, 0 exceptions", ["FAIL - k8s/deployment.yaml - main - web-frontend: containers must not run as root"]),
    ("a rule over two files runs once", "test -p k8s/policy k8s/deployment.yaml -o json", None, 1, None, []),
    ("a warning does not fail", "test -p k8s/policy/base.rego -p k8s/policy/warn.rego k8s/service.yaml", None, 0,
     "1 test, 0 passed, 1 warning, 0 failures, 0 exceptions", ["WARN - k8s/service.yaml - main - service web-frontend: prefer an ingress"]),
    ("--fail-on-warn fails on a warning", "test --fail-on-warn -p k8s/policy/base.rego,k8s/policy/warn.rego k8s/service.yaml", None, 1, None, []),
    ("--fail-on-warn gives 2 on a failure", "test --fail-on-warn -p k8s/policy k8s/service.yaml", None, 2, None, []),
    ("--no-fail exits 0", "test --no-fail -p k8s/policy k8s/deployment.yaml", None, 0, None, ["3 failures"]),
    ("a blank namespace passes", "test --namespace notpresent -p k8s/policy k8s/deployment.yaml", None, 0,
     "0 tests, 0 passed, 0 warnings, 0 failures, 0 exceptions", []),
    ("no policies is an error", "test -p nothing-here k8s/deployment.yaml", None, 1, None, []),
    ("an explicit blank file name is skipped", "test -p k8s/policy/base.rego -p k8s/policy/warn.rego k8s/service.yaml ''", None, 0, None, []),
    ("stdin is YAML by default", "test -p k8s/policy/base.rego -p k8s/policy/warn.rego -", "k8s/service.yaml", 0,
     None, ["WARN - - main - service web-frontend"]),
    ("stdin with --parser", "test -p ini/policy --parser ini -", "ini/grafana.ini", 1, None, ["users must verify their e-mail address"]),
    ("--stdin-filename names stdin", "test -p ini/policy --parser ini --stdin-filename grafana.ini -", "ini/grafana.ini", 1,
     None, ["FAIL - grafana.ini - main"]),
    ("multi-document YAML: each document", "test -p k8s/policy k8s/both.yaml", None, 1, None, ["Service api has no team label"]),
    ("the last file passing does not hide a failure", "test -p k8s/policy k8s/deployment.yaml k8s/service.yaml", None, 1, None, []),
    ("--all-namespaces", "test -p docker/policy docker/Dockerfile --all-namespaces", None, 1,
     "2 tests, 0 passed, 0 warnings, 2 failures, 0 exceptions", ["run downloads with curl", "base image python:3.12-slim"]),
    ("a namespace matches literally", "test -p docker/policy docker/Dockerfile --namespace main", None, 1,
     "1 test, 0 passed, 0 warnings, 1 failure, 0 exceptions", ["base image"]),
    ("a wildcard matches every namespace", "test -p docker/policy docker/Dockerfile --namespace '*'", None, 1,
     "2 tests, 0 passed, 0 warnings, 2 failures, 0 exceptions", []),
    ("a wildcard prefix", "test -p docker/policy docker/Dockerfile --namespace 'c*'", None, 1,
     "1 test, 0 passed, 0 warnings, 1 failure, 0 exceptions", ["FAIL - docker/Dockerfile - commands - run downloads with curl"]),
    ("nested namespaces by name", "test -p k8s/other -n checks.images k8s/both.yaml", None, 1,
     "2 tests, 1 passed, 0 warnings, 1 failure, 0 exceptions", []),
    ("exceptions are reported", "test -p exceptions/policy exceptions/deployments.yaml", None, 1,
     "2 tests, 0 passed, 0 warnings, 1 failure, 1 exception",
     ['EXCP - exceptions/deployments.yaml - main - data.main.exception[_][_] == "run_as_root"']),
    ("--suppress-exceptions", "test -p exceptions/policy exceptions/deployments.yaml --suppress-exceptions", None, 1,
     "2 tests, 0 passed, 0 warnings, 1 failure, 1 exception", []),
    ("data from a folder", "test -p data/policy -d data/exclusions data/service.yaml", None, 1, None,
     ["port 22 may not face the internet (owner platform)"]),
    ("data in unit tests", "verify -p data/policy -d data/exclusions", None, 0,
     "1 test, 1 passed, 0 warnings, 0 failures, 0 exceptions, 0 skipped", []),
    ("verify", "verify -p k8s/policy", None, 0, "4 tests, 3 passed, 0 warnings, 0 failures, 0 exceptions, 1 skipped", []),
    ("verify filters namespaces", "verify -p k8s/policy --namespace doesnotexist", None, 0,
     "0 tests, 0 passed, 0 warnings, 0 failures, 0 exceptions, 0 skipped", []),
    ("verify with a wildcard", "verify -p k8s/policy --namespace 'ma*'", None, 0, None, ["4 tests, 3 passed"]),
    ("verify without policies", "verify -p nothing-here", None, 1, None, []),
    ("verify --report", "verify -p k8s/policy --report fails", None, 0, None,
     ["data.main.test_service_warns: PASS", "PASS: 3/4"]),
    ("verify --report on a failure", "verify -p toml/policy -p ifs/failing_test.rego --report fails", None, 1, None,
     ["FAILURES", "data.main.test_tls_on: FAIL", "FAIL: 1/1"]),
    ("verify --report needs stdout", "verify -p k8s/policy -o json --report fails", None, 1, None, []),
    ("parse_config and parse_config_file", "verify -p hcl2/policy", None, 0, "2 tests, 2 passed, 0 warnings, 0 failures, 0 exceptions, 0 skipped", []),
    ("HCL2 .tf in conftest's shape", "test -p hcl2/policy hcl2/main.tf", None, 1,
     "6 tests, 0 passed, 0 warnings, 6 failures, 0 exceptions", ["listener public serves plain HTTP", "disk data is not encrypted"]),
    ("a folder: the files some parser reads", "test -p hcl2/policy hcl2", None, 1, "6 tests, 0 passed, 0 warnings, 6 failures, 0 exceptions", []),
    ("--parser forces a parser", "test -p hcl2/policy hcl2/main.tf --parser ini", None, 1, None, []),
    ("TOML", "test -p toml/policy toml/app.toml", None, 1, None, ["TLS must be on"]),
    ("INI", "test -p ini/policy ini/grafana.ini", None, 1, "3 tests, 1 passed, 0 warnings, 2 failures, 0 exceptions", []),
    ("dotenv", "test -p dotenv/policy dotenv/app.env", None, 1, "2 tests, 1 passed, 0 warnings, 1 failure, 0 exceptions", []),
    ("Dockerfile", "test -p docker/policy docker/Dockerfile", None, 1, None, ["base image python:3.12-slim is not approved"]),
    ("docker-compose that fails", "test -p compose/policy compose/docker-compose.yml", None, 1,
     "2 tests, 0 passed, 0 warnings, 2 failures, 0 exceptions", []),
    ("docker-compose that passes", "test -p compose/policy compose/docker-compose-valid.yml", None, 0,
     "2 tests, 2 passed, 0 warnings, 0 failures, 0 exceptions", []),
    ("--combine", "test -p combine/policy combine/team.yaml combine/users.yaml --combine", None, 1,
     "2 tests, 1 passed, 0 warnings, 1 failure, 0 exceptions", ["user cy (combine/users.yaml) is in no team"]),
    ("print() with file:line", "test -p print/policy k8s/deployment.yaml", None, 1, None, ["PRNT   print/policy/print.rego:5: web-frontend"]),
    ("a bare deny if {} is a success", "test -p ifs/bare.rego ifs/data.yaml", None, 0, "1 test, 1 passed, 0 warnings, 0 failures, 0 exceptions", []),
    ("deny[msg] if without contains is refused", "test -p ifs/bracket.rego ifs/data.yaml", None, 1, None, []),
    ("an empty document is null", "test -p ifs/null.rego ifs/empty.yaml", None, 1, None, ["input is null"]),
    ("--capabilities refuses an unlisted builtin", "test -p caps/sneaky.rego k8s/deployment.yaml --capabilities caps/capabilities.json",
     None, 1, None, []),
    ("--quiet prints nothing when all pass", "test -p compose/policy compose/docker-compose-valid.yml --quiet", None, 0, None, []),
    ("--quiet still prints a failure", "test -p compose/policy compose/docker-compose.yml --quiet", None, 1, None, ["2 failures"]),
    ("conftest.toml gives defaults", "test deployment.yaml", None, 1, None, ["from the config file's policy"]),
    ("tap", "test -p k8s/policy -o tap k8s/deployment.yaml", None, 1, None, ["not ok 1 - k8s/deployment.yaml - main -", "# successes"]),
    ("table", "test -p k8s/policy -o table k8s/deployment.yaml", None, 1, None, ["| failure ", "| success "]),
    ("junit", "test -p k8s/policy -o junit k8s/deployment.yaml", None, 1, None, ['<testsuite tests="6" failures="3"']),
    ("github", "test -p k8s/policy -o github k8s/deployment.yaml", None, 1, None,
     ["::error file=k8s/deployment.yaml,line=1::deployments need a selector label app"]),
    ("sarif", "test -p k8s/policy -o sarif k8s/deployment.yaml", None, 1, None, ['"ruleId": "main/deny"']),
    ("verify as tap", "verify -p k8s/policy -o tap", None, 0, None, ["ok "]),
    ("--rego-version v0 reads v0 syntax", "test -p ifs/v0.rego ifs/data.yaml --rego-version v0", None, 1,
     "1 test, 0 passed, 0 warnings, 1 failure, 0 exceptions", ["a is one"]),
    ("v0 syntax under --rego-version v1 is an error", "test -p ifs/v0.rego ifs/data.yaml --rego-version v1", None, 1, None, []),
    ("the dialect is found per file by default", "test -p ifs/v0.rego ifs/data.yaml", None, 1, None, ["a is one"]),
    ("--strict is refused, with why", "test --strict -p k8s/policy k8s/deployment.yaml", None, 2, None, []),
]  # fmt: skip


def _run(argv: list[str], stdin: bytes = b"", cwd: Path = FIXTURES) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    world = World(out, err, io.BytesIO(stdin), {"NO_COLOR": "1"}, cwd)
    return main(["conftest", *argv], world), out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("case", "args", "stdin", "code", "summary", "expected"), CASES, ids=[c[0] for c in CASES])
def test_conftest_case(
    case: str, args: str, stdin: str | None, code: int, summary: str | None, expected: list[str]
) -> None:
    cwd = FIXTURES / "configfile" if case == "conftest.toml gives defaults" else FIXTURES
    found, out, err = _run(shlex.split(args), (FIXTURES / stdin).read_bytes() if stdin else b"", cwd)
    assert found == code, out + err
    if summary is not None:
        assert summary in out.splitlines(), out
    for text in expected:
        assert text in out, out
    if found in (0, 1) and not out.strip() and "--quiet" not in args:
        assert err.strip(), "an error exit says why on stderr"
    if "refused" in case:
        assert err.count("\n") >= 1 and "Traceback" not in err


def test_a_rule_over_two_files_is_one_query() -> None:
    _, out, _ = _run(["test", "-p", "k8s/policy", "k8s/deployment.yaml", "-o", "json"])
    [result] = json.loads(out)
    messages = [failure["msg"] for failure in result["failures"]]
    assert len(messages) == len(set(messages)) == 3
    assert result["successes"] == 3


def test_json_is_conftests_shape() -> None:
    _, out, _ = _run(["test", "-p", "k8s/policy", "k8s/both.yaml", "-o", "json"])
    [result] = json.loads(out)
    assert set(result) == {"filename", "namespace", "successes", "failures", "warnings"}
    violation = next(f for f in result["failures"] if f["metadata"]["query"] == "data.main.violation")
    assert violation == {
        "msg": "container api has no image tag",
        "metadata": {"details": {"image": "busybox"}, "query": "data.main.violation"},
    }


def test_errors_name_the_file_and_line() -> None:
    code, _, err = _run(["test", "-p", "ifs/bracket.rego", "ifs/data.yaml"])
    assert code == 1
    assert err.strip() == "costwarden: error: ifs/bracket.rego:4: rule is using 'if' keyword without 'contains' keyword"
    code, _, err = _run(["test", "-p", "caps/missing.rego", "k8s/deployment.yaml"])
    assert code == 1 and "caps/missing.rego:5" in err and "yaml.is_valid_everywhere" in err
    code, _, err = _run(
        ["test", "-p", "caps/sneaky.rego", "k8s/deployment.yaml", "--capabilities", "caps/capabilities.json"]
    )
    assert "caps/sneaky.rego:5: rego_type_error: undefined function http.send" in err


def test_a_file_that_does_not_parse_leaves_the_others_checked() -> None:
    code, out, err = _run(["test", "-p", "toml/policy", "toml/app.toml", "--parser", "toml", "ini/grafana.ini"])
    assert code == 1
    assert "FAIL - toml/app.toml - main - TLS must be on" in out
    assert "ini/grafana.ini" in err and "invalid TOML" in err


def test_an_unsupported_parser_says_so() -> None:
    code, _, err = _run(["test", "-p", "toml/policy", "k8s/deployment.yaml", "--parser", "cue"])
    assert code == 1 and "the cue parser is not available" in err


def test_parse_prints_documents() -> None:
    code, out, _ = _run(["parse", "k8s/deployment.yaml"])
    assert code == 0 and json.loads(out)["kind"] == "Deployment"
    code, out, _ = _run(["parse", "k8s/deployment.yaml", "k8s/both.yaml"])
    assert sorted(json.loads(out)) == ["k8s/both.yaml", "k8s/deployment.yaml"]
    code, out, _ = _run(["parse", "docker/Dockerfile"])
    assert json.loads(out)[0][0] == {
        "Cmd": "from", "Flags": [], "Value": ["python:3.12-slim", "AS", "build"],
        "Original": "FROM python:3.12-slim AS build", "JSON": False, "Stage": 0, "SubCmd": "",
    }  # fmt: skip


def test_hcl2_shape() -> None:
    _, out, _ = _run(["parse", "hcl2/main.tf"])
    document = json.loads(out)
    assert document["resource"]["azurerm_managed_disk"]["data"] == [{"encryption_settings": [{"enabled": False}]}]
    assert document["resource"]["aws_s3_bucket"]["logs"][0]["bucket"] == "logs-${var.env}"


def test_a_value_in_a_message_cannot_drive_the_terminal(tmp_path: Path) -> None:
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "p.rego").write_text("package main\nimport rego.v1\ndeny contains input.name if true\n")
    (tmp_path / "x.json").write_text(json.dumps({"name": "a\x1b[2J\n::error::b"}))
    _, out, _ = _run(["test", "x.json"], cwd=tmp_path)
    assert "\x1b" not in out and "\n::error" not in out
    _, out, _ = _run(["test", "x.json", "-o", "github"], cwd=tmp_path)
    assert "\n::error::b" not in out
