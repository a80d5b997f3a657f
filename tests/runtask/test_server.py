"""The run task server end to end: real uvicorn on loopback, the fake HCP Terraform beside it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from costwarden.runtask.signature import sign
from tests.integrations.test_checkov import full_plan
from tests.requires import CHECKOV, needs_checkov
from tests.runtask.conftest import HMAC_KEY, Server, gpu_plan, wait_for
from tests.runtask.fake_tfc import TOKEN, Recorder


def test_a_post_plan_task_gets_running_then_its_verdict_with_priced_outcomes(server: Server, api: Recorder) -> None:
    api.plans["plan-t1"] = gpu_plan()
    assert server.post(server.payload("t1")).status_code == 200
    final = wait_for(lambda: api.final("t1"))
    statuses = [body["data"]["attributes"]["status"] for body in api.callbacks("t1")]
    assert statuses[0] == "running" and statuses[-1] == "failed"
    data = final[0]["data"]
    assert data["type"] == "task-results"
    assert "violations" in data["attributes"]["message"] and "$" in data["attributes"]["message"]
    assert data["attributes"]["url"] == "https://app.terraform.io/app/hashicorp/ws/runs/run-t1"
    outcomes = data["relationships"]["outcomes"]["data"]
    assert {o["attributes"]["outcome-id"] for o in outcomes} >= {"CW101"}
    tags = outcomes[0]["attributes"]["tags"]
    assert set(tags) == {"Severity", "Status", "Cost"}
    assert tags["Cost"][0]["label"].startswith(("saves $", "$"))
    assert "/month" in outcomes[0]["attributes"]["body"]


def test_the_token_goes_to_the_api_and_never_to_the_host_the_plan_redirects_to(
    server: Server, tfc: tuple[Recorder, Recorder]
) -> None:
    api, archive = tfc
    api.plans["plan-t2"] = gpu_plan()
    server.post(server.payload("t2"))
    wait_for(lambda: api.final("t2"))
    assert [s.authorization for s in api.requests_to("/api/v2/plans/plan-t2")] == [f"Bearer {TOKEN}"]
    blobs = archive.requests_to("/blobs/plan-t2")
    assert len(blobs) == 1 and blobs[0].authorization is None


def test_a_plan_not_ready_yet_is_asked_for_again(server: Server, api: Recorder) -> None:
    api.plans["plan-t3"] = gpu_plan()
    api.not_ready["plan-t3"] = 3
    server.post(server.payload("t3"))
    wait_for(lambda: api.final("t3"))
    assert len(api.requests_to("/api/v2/plans/plan-t3")) == 4


def test_a_plan_url_on_a_foreign_host_is_refused_and_the_task_failed(server: Server, api: Recorder) -> None:
    foreign = Recorder("127.0.0.3")
    try:
        payload = server.payload("t4", plan_json_api_url=f"{foreign.origin}/api/v2/plans/plan-x/json-output")
        assert server.post(payload).status_code == 200
        final = wait_for(lambda: api.final("t4"))
        attributes = final[0]["data"]["attributes"]
        assert attributes["status"] == "failed" and "refused" in attributes["message"]
        assert foreign.seen == []
    finally:
        foreign.close()


def test_a_callback_url_on_a_foreign_host_is_refused_before_anything_is_sent(server: Server) -> None:
    foreign = Recorder("127.0.0.3")
    try:
        payload = server.payload("t5", task_result_callback_url=f"{foreign.origin}/api/v2/task-results/t5/callback")
        response = server.post(payload)
        assert response.status_code == 422
        assert "task_result_callback_url" in response.json()["errors"][0]["detail"]
        assert foreign.seen == []
    finally:
        foreign.close()


def test_the_final_callback_is_retried_after_two_503s(server: Server, api: Recorder) -> None:
    api.plans["plan-t6"] = gpu_plan(tags={"team": "ml", "cost-center": "cc-1", "environment": "dev"})
    api.fail_final["t6"] = 2
    server.post(server.payload("t6"))
    wait_for(lambda: api.final("t6"))
    refused = api.requests_to("/api/v2/task-results/t6/callback#503")
    assert len(refused) == 2 and refused[1].at - refused[0].at >= 0.05  # backoff between attempts
    assert len(api.final("t6")) == 1
    assert "callback attempt 2 failed (HTTP 503)" in server.log.read_text()


def test_verification_requests_get_200_and_no_callback(server: Server, api: Recorder) -> None:
    payload = server.payload("verify", access_token="test-token")
    assert server.post(payload).status_code == 200
    api.plans["plan-t7"] = gpu_plan()
    server.post(server.payload("t7"))
    wait_for(lambda: api.final("t7"))
    assert api.requests_to("/api/v2/task-results/verify") == []


def test_pre_plan_passes_with_a_message_and_fetches_nothing(server: Server, api: Recorder) -> None:
    payload = server.payload("t8", stage="pre_plan")
    del payload["plan_json_api_url"]
    server.post(payload)
    final = wait_for(lambda: api.final("t8"))
    assert final[0]["data"]["attributes"]["status"] == "passed"
    assert "before the plan" in final[0]["data"]["attributes"]["message"]
    assert api.requests_to("/api/v2/plans") == []


def test_a_clean_plan_passes(server: Server, api: Recorder) -> None:
    tags = {"team": "ml", "cost-center": "cc-1", "environment": "dev", "owner": "ml@example.com"}
    api.plans["plan-t9"] = json.dumps(json.loads(gpu_plan(tags=tags)) | {"resource_changes": []}).encode()
    server.post(server.payload("t9"))
    final = wait_for(lambda: api.final("t9"))
    assert final[0]["data"]["attributes"]["status"] == "passed"
    assert "relationships" not in final[0]["data"]


def test_outcomes_stop_at_250_with_a_summary_and_not_at_all_without_the_capability(
    server: Server, api: Recorder
) -> None:
    api.plans["plan-big"] = gpu_plan(count=300)
    server.post(server.payload("t10", plan_id="plan-big"))
    server.post(server.payload("t11", plan_id="plan-big", capabilities={"outcomes": False}))
    outcomes = wait_for(lambda: api.final("t10"), timeout=60)[0]["data"]["relationships"]["outcomes"]["data"]
    assert len(outcomes) == 250
    assert outcomes[-1]["attributes"]["outcome-id"] == "costwarden-more"
    assert all(len(o["attributes"]["body"]) <= 10_000 for o in outcomes)
    assert "relationships" not in wait_for(lambda: api.final("t11"), timeout=60)[0]["data"]


def test_a_plan_that_is_not_json_fails_the_task_with_the_reason(server: Server, api: Recorder) -> None:
    api.plans["plan-t12"] = b"{not json"
    server.post(server.payload("t12"))
    attributes = wait_for(lambda: api.final("t12"))[0]["data"]["attributes"]
    assert attributes["status"] == "failed" and "could not read the plan" in attributes["message"]


def test_advisory_tasks_use_their_own_threshold(server_factory: Callable[..., Server], api: Recorder) -> None:
    server = server_factory("--advisory-fail-on", "critical")
    api.plans["plan-t13"] = gpu_plan()
    server.post(server.payload("t13", task_result_enforcement_level="advisory"))
    assert wait_for(lambda: api.final("t13"))[0]["data"]["attributes"]["status"] == "passed"


def test_organizations_outside_the_allow_list_fail_with_a_message(
    server_factory: Callable[..., Server], api: Recorder
) -> None:
    server = server_factory("--organization", "acme")
    server.post(server.payload("t14"))
    attributes = wait_for(lambda: api.final("t14"))[0]["data"]["attributes"]
    assert attributes["status"] == "failed" and "'hashicorp' is not allowed" in attributes["message"]
    assert api.requests_to("/api/v2/plans") == []


def test_long_scans_send_running_updates(server_factory: Callable[..., Server], api: Recorder) -> None:
    server = server_factory("--progress-seconds", "0.2")
    api.plans["plan-t15"] = gpu_plan()
    api.not_ready["plan-t15"] = 15  # 1.5 s of 204s, polled every 0.1 s
    server.post(server.payload("t15"))
    wait_for(lambda: api.final("t15"))
    running = [b for b in api.callbacks("t15") if b["data"]["attributes"]["status"] == "running"]
    assert len(running) >= 3
    assert "still checking" in running[-1]["data"]["attributes"]["message"]


def test_a_task_sent_twice_is_worked_once(server: Server, api: Recorder) -> None:
    api.plans["plan-t16"] = gpu_plan()
    api.not_ready["plan-t16"] = 2
    assert server.post(server.payload("t16")).status_code == 200
    assert server.post(server.payload("t16")).status_code == 200
    wait_for(lambda: api.final("t16"))
    api.plans["plan-t17"] = gpu_plan()
    server.post(server.payload("t17"))
    wait_for(lambda: api.final("t17"))
    assert len(api.final("t16")) == 1


def test_killed_after_the_200_the_server_finishes_the_task_after_a_restart(
    server_factory: Callable[..., Server], api: Recorder
) -> None:
    server = server_factory()
    api.plans["plan-t18"] = gpu_plan()
    api.not_ready["plan-t18"] = 10_000  # the plan never gets ready while this server lives
    assert server.post(server.payload("t18")).status_code == 200
    wait_for(lambda: api.requests_to("/api/v2/plans/plan-t18"))
    server.kill()
    assert api.final("t18") == []
    api.not_ready["plan-t18"] = 0
    restarted = server_factory()
    final = wait_for(lambda: api.final("t18"))
    assert final[0]["data"]["attributes"]["status"] == "failed"
    api.plans["plan-t19"] = gpu_plan()
    restarted.post(restarted.payload("t19"))
    wait_for(lambda: api.final("t19"))
    assert len(api.final("t18")) == 1


def test_healthz_and_metrics(server: Server, api: Recorder) -> None:
    api.plans["plan-t20"] = gpu_plan()
    server.post(server.payload("t20"))
    server.post(b"{", signature=sign(b"{", HMAC_KEY.encode()))
    wait_for(lambda: api.final("t20"))
    assert httpx.get(f"{server.url}/healthz").json()["status"] == "ok"
    text = wait_for(lambda: (t := httpx.get(f"{server.url}/metrics").text) and "task_seconds_count 1" in t and t)
    assert 'costwarden_runtask_requests_total{code="200"} 1' in text
    assert 'costwarden_runtask_requests_total{code="400"} 1' in text
    assert 'costwarden_runtask_verdicts_total{status="failed"} 1' in text
    assert "costwarden_runtask_queue_depth 0" in text


def test_a_task_whose_callbacks_keep_failing_is_worked_again_until_one_lands(
    server_factory: Callable[..., Server], api: Recorder
) -> None:
    server = server_factory("--backoff-seconds", "0.01")
    api.plans["plan-t21"] = gpu_plan()
    api.fail_final["t21"] = 10  # more than one round of 8 attempts
    server.post(server.payload("t21"))
    final = wait_for(lambda: api.final("t21"), timeout=30)
    assert len(api.requests_to("/api/v2/task-results/t21/callback#503")) == 10
    assert len(final) == 1 and final[0]["data"]["attributes"]["status"] == "failed"
    assert "will try again" in server.log.read_text()


@pytest.mark.checkov
@needs_checkov
def test_checkov_from_the_config_becomes_run_task_outcomes(
    server_factory: Callable[..., Server], api: Recorder, tmp_path: Path
) -> None:
    (tmp_path / ".costwarden.yaml").write_text(
        f"checkov:\n  enabled: true\n  binary: {CHECKOV}\n  checks: [CKV_AWS_8]\n"
    )
    server = server_factory()
    api.plans["plan-t22"] = full_plan(*json.loads(gpu_plan())["resource_changes"])
    server.post(server.payload("t22"))
    final = wait_for(lambda: api.final("t22"), timeout=60)
    outcomes = final[0]["data"]["relationships"]["outcomes"]["data"]
    checkov = [o for o in outcomes if o["attributes"]["outcome-id"] == "CKV_AWS_8"]
    assert len(checkov) == 1
    assert checkov[0]["attributes"]["tags"]["Cost"][0]["label"] == "security check, no cost"
    assert "Checked by Checkov (CKV_AWS_8)" in checkov[0]["attributes"]["body"]


USER_REGO = """\
package gpu

import rego.v1

# METADATA
# title: GPU instances need an owner label
# description: |-
#   Every GPU instance names the person paged when it idles.
# related_resources:
#   - ref: https://wiki.example.com/gpu-owners
# custom:
#   id: ORG1
#   severity: medium
deny contains {"msg": "no owner", "resource": r.address} if {
  some r in input.resources
  r.compute.gpu
  not r.tags.owner
}
"""

USER_PYTHON = '''\
from costwarden.model import Severity
from costwarden.policies import Finding, policy


@policy(id="ORG2", name="no-p4d", title="p4d needs an exception", severity=Severity.LOW)
def no_p4d(resource, context):
    """p4d instances need the capacity team's sign-off."""
    if resource.compute and resource.compute.instance_type == "p4d.24xlarge":
        yield Finding("p4d without sign-off")
'''


def test_policy_paths_and_rego_settings_from_the_config_run_in_the_server(
    server_factory: Callable[..., Server], api: Recorder, tmp_path: Path
) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "gpu.rego").write_text(USER_REGO)
    (tmp_path / "policies" / "org.py").write_text(USER_PYTHON)
    config = "policy_paths: [policies]\nrego:\n  namespaces: [gpu]\n"  # package gpu runs only when named
    (tmp_path / ".costwarden.yaml").write_text(config)
    server = server_factory()
    api.plans["plan-t23"] = gpu_plan()
    server.post(server.payload("t23"))
    final = wait_for(lambda: api.final("t23"))
    data = final[0]["data"]["relationships"]["outcomes"]["data"]
    outcomes = {o["attributes"]["outcome-id"]: o["attributes"] for o in data}
    assert {"ORG1", "ORG2", "CW101"} <= set(outcomes)
    assert "Every GPU instance names the person paged" in outcomes["ORG1"]["body"]
    assert "https://wiki.example.com/gpu-owners" in outcomes["ORG1"]["body"]
    assert "capacity team's sign-off" in outcomes["ORG2"]["body"]
    assert "Every taggable resource carries the cost-allocation tags" in outcomes["CW101"]["body"]
