"""A loopback fake of the HCP Terraform API, written from the run task docs.

``api`` serves ``GET /api/v2/plans/:id/json-output`` (204 while "not ready", then a 307 to the
``archive`` host, which is another loopback address) and ``PATCH
/api/v2/task-results/:id/callback`` (records every body; answers 503 to final results on demand).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "4QEuyyxug1f2rw.atlasv1.secret-run-token-for-tests"


@dataclass
class Seen:
    path: str
    authorization: str | None
    body: dict[str, Any] | None = None
    at: float = field(default_factory=time.monotonic)


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str) -> None:
        super().__init__((host, 0), _Handler)
        self.lock = threading.Lock()
        self.seen: list[Seen] = []
        self.plans: dict[str, bytes] = {}
        self.not_ready: dict[str, int] = {}
        self.fail_final: dict[str, int] = {}
        self.slow: dict[str, float] = {}
        self.hold_final: dict[str, float] = {}
        """Task id -> seconds the final callback is held before it is answered (and recorded)."""
        """Plan id -> seconds between 64-byte chunks of its blob (a plan that trickles in)."""
        self.archive: Recorder | None = None
        self.thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def requests_to(self, prefix: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path.startswith(prefix)]

    def callbacks(self, task_id: str) -> list[dict[str, Any]]:
        return [s.body for s in self.requests_to(f"/api/v2/task-results/{task_id}/callback") if s.body is not None]

    def final(self, task_id: str) -> list[dict[str, Any]]:
        return [b for b in self.callbacks(task_id) if b["data"]["attributes"]["status"] != "running"]

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: Recorder

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        server = self.server
        with server.lock:
            server.seen.append(Seen(self.path, self.headers.get("Authorization")))
        parts = self.path.split("?")[0].strip("/").split("/")
        if parts[:3] == ["api", "v2", "plans"] and len(parts) == 5 and parts[4] == "json-output":
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._answer(401)
            plan_id = parts[3]
            with server.lock:
                if server.not_ready.get(plan_id, 0) > 0:
                    server.not_ready[plan_id] -= 1
                    return self._answer(204)
            if plan_id not in server.plans or server.archive is None:
                return self._answer(404)
            server.archive.plans[plan_id] = server.plans[plan_id]
            return self._answer(307, headers={"Location": f"{server.archive.origin}/blobs/{plan_id}?expires=60"})
        if parts[:1] == ["blobs"] and len(parts) == 2 and parts[1] in server.plans:
            delay = server.slow.get(parts[1])
            if delay is None:
                return self._answer(200, server.plans[parts[1]], {"Content-Type": "application/json"})
            body = server.plans[parts[1]]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for start in range(0, min(len(body), 64 * 50), 64):  # bounded: at most 50 chunks
                    self.wfile.write(body[start : start + 64])
                    self.wfile.flush()
                    time.sleep(delay)
            except OSError:
                pass  # the server gave up on us, as it should
            return None
        return self._answer(404)

    def do_PATCH(self) -> None:
        server = self.server
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        parts = self.path.strip("/").split("/")
        authorized = self.headers.get("Authorization") == f"Bearer {TOKEN}"
        if parts[:3] != ["api", "v2", "task-results"] or len(parts) != 5 or not authorized:
            with server.lock:
                server.seen.append(Seen(self.path, self.headers.get("Authorization")))
            return self._answer(404 if authorized else 401)
        body = json.loads(raw)
        final = body["data"]["attributes"]["status"] != "running"
        hold = server.hold_final.pop(parts[3], 0.0) if final else 0.0
        if hold:  # the server may die while HCP Terraform holds its callback: nothing recorded
            time.sleep(hold)
            with server.lock:
                server.seen.append(Seen(f"{self.path}#held", self.headers.get("Authorization")))
            return self._answer(200)
        with server.lock:
            failing = server.fail_final.get(parts[3], 0) if final else 0
            if failing:
                server.fail_final[parts[3]] = failing - 1
                server.seen.append(Seen(f"{self.path}#503", self.headers.get("Authorization")))
            else:
                server.seen.append(Seen(self.path, self.headers.get("Authorization"), body))
        self._answer(503 if failing else 200)


def tfc_pair() -> tuple[Recorder, Recorder]:
    """The API on 127.0.0.1 and the archive its plan URLs redirect to, on 127.0.0.2."""
    api, archive = Recorder("127.0.0.1"), Recorder("127.0.0.2")
    api.archive = archive
    return api, archive
