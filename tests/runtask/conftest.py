"""The real ``costwarden serve`` (uvicorn, a subprocess) against the loopback fake of HCP Terraform."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from costwarden.runtask.signature import sign
from tests.plans import change, dumps, plan
from tests.runtask.fake_tfc import TOKEN, Recorder, tfc_pair

HMAC_KEY = "hmac-key-for-tests-9f8e7d"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s")


def gpu_plan(count: int = 1, tags: dict[str, str] | None = None) -> bytes:
    changes = [
        change(f"aws_instance.trainer_{i}", {"instance_type": "p4d.24xlarge", "ami": "ami-1", "tags": tags})
        for i in range(count)
    ]
    return dumps(plan(*changes))


class Server:
    def __init__(self, workdir: Path, api: Recorder, *extra: str, key: str | None = HMAC_KEY) -> None:
        self.workdir = workdir
        self.api = api
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.key = key
        self.args = [
            sys.executable, "-m", "costwarden", "serve",
            "--port", str(self.port),
            "--journal", str(workdir / "journal.sqlite3"),
            "--tfc-host", api.origin,
            "--backoff-seconds", "0.05",
            "--plan-wait-seconds", "2",
            *extra,
        ]  # fmt: skip
        self.log = workdir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COSTWARDEN_")}
        if self.key is not None:
            env["COSTWARDEN_HMAC_KEY"] = self.key
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(self.args, cwd=self.workdir, env=env, stdout=log, stderr=log)
        wait_for(self._healthy)
        return self

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"server exited {self.process.returncode}:\n{self.log.read_text()}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def payload(self, task_id: str, plan_id: str | None = None, **fields: Any) -> dict[str, Any]:
        api = self.api.origin
        body: dict[str, Any] = {
            "payload_version": 1,
            "stage": "post_plan",
            "access_token": TOKEN,
            "capabilities": {"outcomes": True},
            "is_speculative": False,
            "organization_name": "hashicorp",
            "plan_json_api_url": f"{api}/api/v2/plans/{plan_id or 'plan-' + task_id}/json-output",
            "run_app_url": f"https://app.terraform.io/app/hashicorp/ws/runs/run-{task_id}",
            "run_id": f"run-{task_id}",
            "task_result_callback_url": f"{api}/api/v2/task-results/{task_id}/callback",
            "task_result_enforcement_level": "mandatory",
            "task_result_id": task_id,
            "workspace_name": "ml-platform",
        }
        body.update(fields)
        return body

    def post(
        self,
        payload: dict[str, Any] | bytes,
        *,
        signature: str | None = None,
        client: httpx.Client | None = None,
        **headers: str,
    ) -> httpx.Response:
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        sent = {"Content-Type": "application/json", "User-Agent": "TFC/1.0 (+https://app.terraform.io; TFC)"}
        if signature is not None:
            sent["X-TFC-Task-Signature"] = signature
        elif self.key is not None:
            sent["X-TFC-Task-Signature"] = sign(raw, self.key.encode())
        sent.update(headers)
        if client is None:
            return httpx.post(f"{self.url}/runtask", content=raw, headers=sent, timeout=10)
        return client.post(f"{self.url}/runtask", content=raw, headers=sent)


@pytest.fixture
def tfc() -> Iterator[tuple[Recorder, Recorder]]:
    api, archive = tfc_pair()
    yield api, archive
    api.close()
    archive.close()


@pytest.fixture
def api(tfc: tuple[Recorder, Recorder]) -> Recorder:
    return tfc[0]


@pytest.fixture
def server_factory(tmp_path: Path, api: Recorder) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def make(*extra: str, key: str | None = HMAC_KEY) -> Server:
        server = Server(tmp_path, api, *extra, key=key)
        started.append(server)
        return server.start()

    yield make
    for server in started:
        server.stop()
        log = server.log.read_text()
        assert TOKEN not in log and HMAC_KEY not in log, "a secret reached the server log"


@pytest.fixture
def server(server_factory: Callable[..., Server]) -> Server:
    return server_factory()
