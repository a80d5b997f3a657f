"""The run task's promise under hostile input, through the real server: every accepted task
ends with a verdict, downloads and requests are bounded, secrets do not outlive their task."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.plans import change, dumps, plan
from tests.runtask.conftest import Server, gpu_plan, wait_for
from tests.runtask.fake_tfc import TOKEN, Recorder

BREAKS_THE_ENGINE = """\
import costwarden.engine.scan as engine


def broken(violation):
    raise ZeroDivisionError("an engine bug, injected")


engine._order = broken
"""


ASG = {"instance_type": "g5.xlarge", "desired_capacity": 1, "min_size": 1, "max_size": 1, "mixed_instances_policy": []}


def final_message(api: Recorder, task: str) -> str:
    (final,) = wait_for(lambda: api.final(task), timeout=30)
    attributes = final["data"]["attributes"]
    assert attributes["status"] == "failed"
    return str(attributes["message"])


def test_an_internal_error_fails_the_task_with_one_line_and_no_second_verdict(
    server_factory: Callable[..., Server], api: Recorder, tmp_path: Path
) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "inject.py").write_text(BREAKS_THE_ENGINE)
    server = server_factory("--policy", str(tmp_path / "policies"))
    api.plans["plan-h1"] = gpu_plan()
    server.post(server.payload("h1"))
    message = final_message(api, "h1")
    assert message == "costwarden could not check this plan: internal error (ZeroDivisionError); see the server log"
    server.stop()
    server.start()  # a restart finds the task done: no second verdict
    time.sleep(0.5)
    assert len(api.final("h1")) == 1


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b'{"format_version": "1.2", "x": ' + b"[" * 1500 + b"]" * 1500 + b"}", "nested too deeply"),
        (
            dumps(plan(change("aws_autoscaling_group.g", ASG))).replace(
                b'"desired_capacity": 1', b'"desired_capacity": ' + b"9" * 400
            ),
            "could not read the plan",
        ),
    ],
)
def test_hostile_plans_fail_their_task_with_a_reason(
    server: Server, api: Recorder, document: bytes, reason: str
) -> None:
    api.plans["plan-h2"] = document
    server.post(server.payload("h2"))
    assert reason in final_message(api, "h2")


def test_a_plan_over_the_byte_cap_fails_its_task(server_factory: Callable[..., Server], api: Recorder) -> None:
    server = server_factory("--max-plan-bytes", "2048")
    api.plans["plan-h3"] = gpu_plan(count=20)
    server.post(server.payload("h3"))
    assert "the plan is larger than 2,048 bytes (--max-plan-bytes)" in final_message(api, "h3")


def test_a_plan_that_trickles_in_fails_at_the_deadline(
    server_factory: Callable[..., Server], tfc: tuple[Recorder, Recorder]
) -> None:
    api, archive = tfc
    server = server_factory("--plan-deadline-seconds", "1")
    api.plans["plan-h4"] = gpu_plan(count=5)
    archive.slow["plan-h4"] = 0.2  # 64 bytes every 0.2 s: far longer than 1 s in all
    started = time.monotonic()
    server.post(server.payload("h4"))
    assert "the plan took longer than 1 s to arrive" in final_message(api, "h4")
    assert time.monotonic() - started < 15


def test_a_slow_request_body_is_cut_off_and_the_server_stays_up(
    server_factory: Callable[..., Server], api: Recorder
) -> None:
    server = server_factory("--body-seconds", "1")
    slow = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(20)]
    try:
        for sock in slow:
            sock.sendall(
                b"POST /runtask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
            )
        assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
        slow[0].settimeout(10)
        answer = slow[0].recv(4096)
        assert answer.startswith(b"HTTP/1.1 408")
        api.plans["plan-h5"] = gpu_plan()
        assert server.post(server.payload("h5")).status_code == 200
        wait_for(lambda: api.final("h5"))
    finally:
        for sock in slow:
            sock.close()


def test_a_callback_url_with_a_newline_is_refused_at_once(server: Server, api: Recorder) -> None:
    payload = server.payload("h6")
    payload["task_result_callback_url"] = payload["task_result_callback_url"] + "\n"
    response = server.post(payload)
    assert response.status_code == 422 and "whitespace or control characters" in response.text


def start_failing(
    tmp_path: Path, *extra: str, environ: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COSTWARDEN_")} | (environ or {})
    return subprocess.run(
        [sys.executable, "-m", "costwarden", "serve", "--port", "0", *extra],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "environ", "message"),
    [
        ((), {"COSTWARDEN_HMAC_KEY": ""}, "COSTWARDEN_HMAC_KEY is set but empty"),
        (("--details-url", "https://x/{run}"), {}, "--details-url: unknown field {run}"),
        (("--journal", "afile/journal.sqlite3"), {}, "afile/journal.sqlite3: [Errno 17] File exists"),
    ],
)
def test_bad_start_up_settings_are_one_line_and_exit_2(
    tmp_path: Path, extra: tuple[str, ...], environ: dict[str, str], message: str
) -> None:
    (tmp_path / "afile").write_text("a file, not a folder")
    done = start_failing(tmp_path, *extra, environ=environ)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("costwarden: error:") and message in line


def test_the_token_does_not_outlive_its_task_and_every_journal_file_is_private(
    tmp_path: Path, api: Recorder, server_factory: Callable[..., Server]
) -> None:
    journal = tmp_path / "journal.sqlite3"
    journal.touch(mode=0o644)
    journal.chmod(0o644)
    server = server_factory()
    for name in ("", "-wal", "-shm"):
        path = Path(f"{journal}{name}")
        assert not path.exists() or stat.S_IMODE(path.stat().st_mode) == 0o600, name
    api.plans["plan-h7"] = gpu_plan()
    server.post(server.payload("h7"))
    wait_for(lambda: api.final("h7"))
    time.sleep(0.3)
    on_disk = b"".join(
        Path(f"{journal}{name}").read_bytes() for name in ("", "-wal") if Path(f"{journal}{name}").exists()
    )
    assert TOKEN.encode() not in on_disk  # while the server still runs


def test_a_journal_that_takes_no_write_is_a_503_counted_in_metrics(tmp_path: Path) -> None:
    import asyncio

    from costwarden.runtask.app import create_app
    from costwarden.runtask.journal import Journal
    from costwarden.runtask.settings import ServeSettings

    journal = Journal(tmp_path / "j.sqlite3")
    journal._db.execute("PRAGMA max_page_count = 3")  # SQLite's own "database or disk is full"
    app = create_app(ServeSettings(journal=tmp_path / "j.sqlite3"), lambda plan: None, journal)  # type: ignore[arg-type,return-value]
    body = {
        "payload_version": 1, "stage": "post_plan", "access_token": TOKEN, "task_result_id": "full",
        "task_result_callback_url": "https://app.terraform.io/api/v2/task-results/full/callback",
        "plan_json_api_url": "https://app.terraform.io/api/v2/plans/p/json-output", "run_id": "r",
        "organization_name": "o", "workspace_name": "w", "task_result_enforcement_level": "mandatory",
        "padding": "x" * 20_000,
    }  # fmt: skip

    async def exercise() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            headers = {"Content-Type": "application/json"}
            response = await client.post("/runtask", content=json.dumps(body), headers=headers)
            assert response.status_code == 503
            assert response.json()["errors"][0]["detail"] == "the journal cannot take the task now; try again"
            assert "costwarden_runtask_journal_errors_total 1" in (await client.get("/metrics")).text
            assert (await client.get("/healthz")).status_code == 200

    asyncio.run(exercise())


def test_sigkill_during_the_final_callback_still_ends_the_task_with_a_verdict(
    server_factory: Callable[..., Server], api: Recorder
) -> None:
    server = server_factory()
    api.plans["plan-h8"] = gpu_plan()
    api.hold_final["h8"] = 3.0  # the first final callback is held (and then dropped)
    server.post(server.payload("h8"))
    wait_for(lambda: any(s.path.endswith("/h8/callback") for s in api.seen) and server.process)
    time.sleep(1.0)  # inside the held callback
    server.kill()
    server.start()  # the journal still holds the task: it is worked again
    (final,) = wait_for(lambda: api.final("h8"), timeout=30)
    assert final["data"]["attributes"]["status"] == "failed"  # an untagged p4d: a verdict, not a hang


def test_no_config_discovery_reads_nothing_from_the_scanned_folder(tmp_path: Path) -> None:
    from tests.cli_run import run_cli

    (tmp_path / "plan.json").write_bytes(
        dumps(plan(change("aws_instance.a", {"instance_type": "g5.xlarge", "tags": None})))
    )
    (tmp_path / ".costwarden.yaml").write_text("fail_on: never\npolicy_paths: [evil]\n")
    (tmp_path / "evil").mkdir()
    (tmp_path / "evil" / "p.py").write_text("raise SystemExit('an untrusted policy ran')\n")
    (tmp_path / ".costwarden-waivers.yaml").write_text(
        "waivers:\n  - {policy: '*', resource: '*', reason: r, owner: o, expires: 2999-01-01}\n"
    )
    trusted = run_cli(tmp_path, "scan", "plan.json", "--no-config-discovery", "-o", "json")
    assert trusted.code == 1 and trusted.report["suppressed"] == [], trusted.err
    assert [v["policy_id"] for v in trusted.report["violations"]] == ["CW101"]
