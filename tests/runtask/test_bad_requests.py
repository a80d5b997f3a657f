"""Requests the server refuses: a JSON:API error, a log line, and a worker that keeps going."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from itertools import count

import pytest

from costwarden.runtask.signature import sign
from tests.runtask.conftest import HMAC_KEY, Server, gpu_plan, wait_for
from tests.runtask.fake_tfc import TOKEN, tfc_pair

KEY = HMAC_KEY.encode()
TASK_IDS = count()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the table below: each case is a request, not a deployment."""
    api, archive = tfc_pair()
    server = Server(tmp_path_factory.mktemp("serve"), api).start()
    yield server
    server.stop()
    api.close()
    archive.close()
    log = server.log.read_text()
    assert TOKEN not in log and HMAC_KEY not in log


def _without(payload: dict[str, object], key: str) -> dict[str, object]:
    return {k: v for k, v in payload.items() if k != key}


@pytest.mark.parametrize(
    ("make_body", "status", "detail"),
    [
        (lambda p: b"{not json", 400, "not JSON at line 1"),
        (lambda p: b"[1, 2]", 400, "must be a JSON object"),
        (lambda p: b"\xff\xfe", 400, "not JSON"),
        (lambda p: json.dumps(p | {"payload_version": 2}).encode(), 422, "unsupported payload_version 2"),
        (lambda p: json.dumps(p | {"payload_version": "1"}).encode(), 422, "unsupported payload_version '1'"),
        (lambda p: json.dumps(_without(p, "payload_version")).encode(), 422, "'payload_version'"),
        (lambda p: json.dumps(p | {"stage": "post_destroy"}).encode(), 422, "unknown stage 'post_destroy'"),
        (lambda p: json.dumps(_without(p, "access_token")).encode(), 422, "'access_token'"),
        (lambda p: json.dumps(_without(p, "task_result_callback_url")).encode(), 422, "'task_result_callback_url'"),
        (lambda p: json.dumps(_without(p, "plan_json_api_url")).encode(), 422, "'plan_json_api_url'"),
        (lambda p: json.dumps(p | {"task_result_id": 7}).encode(), 422, "'task_result_id' must be"),
        (lambda p: json.dumps(p | {"capabilities": []}).encode(), 422, "'capabilities' must be an object"),
        (lambda p: json.dumps(p | {"task_result_enforcement_level": "soft"}).encode(), 422, "enforcement_level"),
    ],
)
def test_malformed_requests_get_a_json_api_error(
    shared: Server, make_body: Callable[[dict[str, object]], bytes], status: int, detail: str
) -> None:
    server, api, after = shared, shared.api, f"after-{next(TASK_IDS)}"
    body = make_body(server.payload("bad"))
    response = server.post(body, signature=sign(body, KEY))
    assert response.status_code == status
    assert response.headers["content-type"] == "application/vnd.api+json"
    [error] = response.json()["errors"]
    assert error["status"] == str(status) and detail in error["detail"]
    assert "refused a run task request" in server.log.read_text()
    api.plans[f"plan-{after}"] = gpu_plan()
    assert server.post(server.payload(after)).status_code == 200
    wait_for(lambda: api.final(after))


@pytest.mark.parametrize(
    ("signature", "status"),
    [
        (None, 200),  # the fixture signs with the right key
        ("", 401),
        ("0" * 128, 401),
        ("not-hex", 401),
    ],
)
def test_signatures_with_a_key(shared: Server, signature: str | None, status: int) -> None:
    payload = shared.payload("verify", access_token="test-token")
    assert shared.post(payload, signature=signature).status_code == status


def test_an_uppercase_signature_is_accepted(shared: Server) -> None:
    server = shared
    body = json.dumps(server.payload("verify", access_token="test-token")).encode()
    assert server.post(body, signature=sign(body, KEY).upper()).status_code == 200


def test_a_signature_made_with_another_key_is_refused(shared: Server) -> None:
    server = shared
    body = json.dumps(server.payload("verify", access_token="test-token")).encode()
    response = server.post(body, signature=sign(body, b"another key"))
    assert response.status_code == 401
    assert response.json()["errors"][0]["title"] == "Unauthorized"


def test_without_a_key_a_signature_is_unexpected(server_factory: Callable[..., Server]) -> None:
    server = server_factory(key=None)
    payload = server.payload("verify", access_token="test-token")
    assert server.post(payload).status_code == 200
    assert server.post(payload, signature="abc").status_code == 400


def test_the_signature_is_checked_before_the_json(shared: Server) -> None:
    server = shared
    assert server.post(b"{not json", signature="0" * 128).status_code == 401


def test_a_body_over_the_limit_gets_413(server_factory: Callable[..., Server]) -> None:
    server = server_factory("--max-body-bytes", "2048")
    payload = server.payload("big", run_message="x" * 4096)
    response = server.post(payload)
    assert response.status_code == 413
    assert "over 2048 bytes" in response.json()["errors"][0]["detail"]


def test_a_form_body_gets_415(shared: Server) -> None:
    server = shared
    body = b"payload=%7B%7D"
    response = server.post(body, signature=sign(body, KEY), **{"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
