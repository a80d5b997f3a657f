"""The run task's parts on their own: parsing, signatures, the journal, callback bodies."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costwarden.cli import World, main
from costwarden.engine.scan import scan
from costwarden.errors import ConfigError
from costwarden.loaders import Document
from costwarden.model import CostImpact, Location, ScanResult, Severity, Violation
from costwarden.runtask import result
from costwarden.runtask.journal import Journal
from costwarden.runtask.request import BadRequestError, parse_request
from costwarden.runtask.settings import Origin, Secret, ServeSettings
from costwarden.runtask.signature import sign, verify
from tests.runtask.conftest import gpu_plan

SAMPLE = {
    "payload_version": 1,
    "stage": "post_plan",
    "access_token": "tok",
    "capabilities": {"outcomes": True},
    "plan_json_api_url": "https://app.terraform.io/api/v2/plans/plan-1/json-output",
    "task_result_callback_url": "https://app.terraform.io/api/v2/task-results/x/callback",
    "task_result_enforcement_level": "mandatory",
    "task_result_id": "taskrs-1",
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


@given(st.binary(max_size=200))
def test_any_bytes_parse_or_give_a_bad_request(body: bytes) -> None:
    try:
        parse_request(body)
    except BadRequestError as exc:
        assert exc.status in (400, 422) and exc.detail


@given(st.dictionaries(st.sampled_from(sorted(SAMPLE)), json_values, max_size=8))
def test_any_fields_parse_or_give_a_bad_request(fields: dict[str, object]) -> None:
    try:
        parse_request(json.dumps(SAMPLE | fields).encode())
    except BadRequestError as exc:
        assert exc.status == 422 and exc.detail


def test_the_documented_sample_parses() -> None:
    request = parse_request(json.dumps(SAMPLE).encode())
    assert (request.stage, request.outcomes, request.enforcement_level) == ("post_plan", True, "mandatory")
    assert "tok" not in repr(request)


def test_old_tfe_hyphenated_stages_are_understood() -> None:
    assert parse_request(json.dumps(SAMPLE | {"stage": "post-plan"}).encode()).stage == "post_plan"


def test_a_verification_request_needs_no_callback_fields() -> None:
    assert parse_request(b'{"payload_version": 1, "stage": "post_plan", "access_token": "test-token"}').is_verification


@pytest.mark.parametrize(
    ("signature", "key", "status"),
    [
        (sign(b"body", b"k"), b"k", None),
        (sign(b"body", b"k").upper(), b"k", None),
        (sign(b"other", b"k"), b"k", 401),
        ("", b"k", 401),
        ("", None, None),
        ("abc", None, 400),
        ("é", b"k", 401),
    ],
)
def test_verify(signature: str, key: bytes | None, status: int | None) -> None:
    if status is None:
        verify(b"body", signature, key)
    else:
        with pytest.raises(BadRequestError) as caught:
            verify(b"body", signature, key)
        assert caught.value.status == status


def test_the_signature_is_hmac_sha512_hex_as_openssl_prints_it() -> None:
    # printf 'hello' | openssl dgst -sha512 -hmac key
    assert sign(b"hello", b"key") == (
        "ff06ab36757777815c008d32c8e14a705b4e7bf310351a06a23b612dc4c7433e"
        "7757d20525a5593b71020ea2ee162d2311b247e9855862b270122419652c0c92"
    )


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("app.terraform.io", Origin("https", "app.terraform.io", 443)),
        ("TFE.example.com:8443", Origin("https", "tfe.example.com", 8443)),
        ("http://127.0.0.1:9000", Origin("http", "127.0.0.1", 9000)),
        ("https://tfe.example.com/", Origin("https", "tfe.example.com", 443)),
    ],
)
def test_origins(text: str, origin: Origin) -> None:
    assert Origin.parse(text) == origin


@pytest.mark.parametrize("text", ["ftp://x", "https://tfe.example.com/api", "https://"])
def test_bad_origins(text: str) -> None:
    with pytest.raises(ConfigError):
        Origin.parse(text)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://app.terraform.io/api/v2/plans/p/json-output", True),
        ("https://APP.terraform.io:443/api", True),
        ("http://app.terraform.io/api", False),
        ("https://app.terraform.io.evil.example/api", False),
        ("https://evil.example/?https://app.terraform.io/", False),
        ("https://app.terraform.io@evil.example/api", False),
        ("https://app.terraform.io:8443/api", False),
        ("not a url", False),
        ("https://app.terraform.io:99999/api", False),
    ],
)
def test_only_configured_hosts_are_allowed(url: str, allowed: bool, tmp_path: Path) -> None:
    assert ServeSettings(journal=tmp_path / "j").allows(url) is allowed


def test_secrets_do_not_print() -> None:
    settings = ServeSettings(journal=Path("j"), hmac_key=Secret(b"top-secret"))
    assert "top-secret" not in repr(settings) and "top-secret" not in str(settings.hmac_key)


def test_the_journal_keeps_pending_tasks_across_restarts_and_drops_tokens_when_done(tmp_path: Path) -> None:
    path = tmp_path / "state" / "journal.sqlite3"
    journal = Journal(path)
    assert journal.accept("a", b"body-a") and journal.accept("b", b"body-b")
    assert not journal.accept("a", b"again")
    journal.finish("a", "done", "passed")
    journal.close()
    reopened = Journal(path)
    assert [(e.task_result_id, e.body) for e in reopened.pending()] == [("b", b"body-b")]
    assert reopened.state("a") == ("done", "passed")
    assert path.stat().st_mode & 0o777 == 0o600
    assert b"body-a" not in path.read_bytes()
    reopened.close()


def _violation(**changes: object) -> Violation:
    fields: dict[str, object] = {
        "policy_id": "CW201",
        "policy_name": "gpu-rightsizing",
        "title": "GPU class larger than measured use",
        "severity": Severity.HIGH,
        "address": "aws_instance.trainer",
        "resource_type": "aws_instance",
        "location": Location("plan.json", 3),
        "message": "p4d.24xlarge at 9% utilization",
        "cost": CostImpact(23_922.0, 12_915.32, 11_006.68, "on-demand", "2026-11-01"),
    }
    return Violation(**(fields | changes))  # type: ignore[arg-type]


def _result(*violations: Violation) -> ScanResult:
    base = scan(Document("plan.json", gpu_plan(), "terraform-plan"))
    return ScanResult(base.resources, violations, base.costs, base.catalog)


def test_an_outcome_carries_severity_status_and_cost_tags_within_the_limits() -> None:
    attributes = result.outcome(_violation(), Severity.HIGH, None)["attributes"]
    assert attributes["tags"] == {
        "Severity": [{"label": "High", "level": "error"}],
        "Status": [{"label": "Failed", "level": "error"}],
        "Cost": [{"label": "saves $11,006.68/mo", "level": "warning"}],
    }
    assert "$23,922.00/month" in attributes["body"] and "$11,006.68/month" in attributes["body"]


def test_long_texts_are_cut_to_the_schema_limits() -> None:
    violation = _violation(policy_id="x" * 100, title="t" * 2000, message="m" * 20_000)
    attributes = result.outcome(violation, Severity.CRITICAL, None)["attributes"]
    assert len(attributes["outcome-id"]) == 64
    assert len(attributes["description"]) == 1000
    assert len(attributes["body"]) == 10_000 and attributes["body"].endswith("(truncated)")
    assert attributes["tags"]["Status"] == [{"label": "Warning", "level": "warning"}]
    labels = [tag["label"] for tags in attributes["tags"].values() for tag in tags]
    assert all(1 <= len(label) <= 32 for label in labels)


def test_the_message_is_at_most_1000_characters() -> None:
    body = result.callback_body("failed", "m" * 5000, "https://x/" + "u" * 600)
    assert len(body["data"]["attributes"]["message"]) == 1000
    assert "url" not in body["data"]["attributes"]


def test_more_than_250_violations_end_in_a_summary_outcome() -> None:
    violations = [_violation(address=f"aws_instance.t{i}") for i in range(251)]
    outcomes = result.outcomes(_result(*violations), Severity.HIGH, None)
    assert len(outcomes) == 250
    assert outcomes[-1]["attributes"]["description"].startswith("2 more violations")


def test_the_verdict_follows_the_threshold_and_the_cost_gate() -> None:
    scanned = _result(_violation(severity=Severity.MEDIUM))
    assert result.verdict(scanned, Severity.HIGH, None) == "passed"
    assert result.verdict(scanned, Severity.MEDIUM, None) == "failed"
    assert result.verdict(scanned, None, 10_000.0) == "failed"
    assert "fails on high and above" in result.message(scanned, Severity.HIGH)


@pytest.mark.parametrize(
    ("argv", "environ", "error"),
    [
        (["--path", "runtask"], {}, "--path must start with '/'"),
        (["--tfc-host", "ftp://tfe"], {}, "not a Terraform Cloud host: 'ftp://tfe'"),
        (["--workers", "0"], {}, "--workers must be at least 1"),
        ([], {"COSTWARDEN_HMAC_KEY_FILE": "missing.key"}, "missing.key: cannot read the HMAC key file"),
        (["--advisory-fail-on", "loud"], {}, "unknown severity 'loud'"),
    ],
)
def test_serve_configuration_errors_are_one_line(
    argv: list[str], environ: dict[str, str], error: str, tmp_path: Path
) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["serve", *argv], World(out, err, io.BytesIO(), environ, tmp_path))
    assert code == 2
    assert err.getvalue().count("\n") == 1 and error in err.getvalue()
    assert "Traceback" not in err.getvalue()


def test_a_checkov_outcome_blocks_by_its_own_gate_only():
    from costwarden.model import CatalogInfo, Location, PolicyInfo, ScanResult, Severity, Violation
    from costwarden.runtask.result import outcomes

    finding = Violation(
        policy_id="CKV_AWS_8", policy_name="checkov", title="EBS encrypted", severity=Severity.HIGH,
        message="m", address="aws_instance.a", resource_type="aws_instance", location=Location("main.tf", 1),
    )  # fmt: skip
    info = PolicyInfo("CKV_AWS_8", "checkov", "EBS encrypted", Severity.HIGH, source="checkov")
    base = {"resources": (), "violations": (finding,), "costs": {}, "catalog": CatalogInfo("v", "d")}
    status = lambda result: outcomes(result, Severity.HIGH, None)[0]["attributes"]["tags"]["Status"][0]["label"]  # noqa: E731
    assert status(ScanResult(**base, policies={"CKV_AWS_8": info})) == "Failed"
    assert status(ScanResult(**base, policies={"CKV_AWS_8": info}, gates={"checkov": Severity.CRITICAL})) == "Warning"
