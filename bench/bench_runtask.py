"""500 signed run task requests at a real ``costwarden serve`` on loopback.

    python bench/bench_runtask.py [--requests 500] [--concurrency 50] [--resources 20] [--workers 2]

The server (uvicorn, a subprocess, its own SQLite journal) talks to the loopback fake of HCP
Terraform the tests use. Each task's plan has ``--resources`` GPU instances, so every task
scans, prices and reports real violations. Reported: requests per second accepted, tasks per
second finished, p50/p95 time from POST to the final callback, and whether every task got
exactly one final callback. Bounded: the run stops after ``--timeout`` seconds whatever happens.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parents[1]))

from tests.runtask.conftest import Server, gpu_plan
from tests.runtask.fake_tfc import tfc_pair


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--resources", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()

    api, archive = tfc_pair()
    api.plans["plan-bench"] = gpu_plan(count=args.resources)
    with tempfile.TemporaryDirectory() as workdir:
        server = Server(Path(workdir), api, "--workers", str(args.workers), "--log-level", "warning").start()
        try:
            return _drive(server, args)
        finally:
            server.stop()
            api.close()
            archive.close()


def _drive(server: Server, args: argparse.Namespace) -> int:
    ids = [f"bench-{i}" for i in range(args.requests)]
    sent_at: dict[str, float] = {}

    client = httpx.Client(timeout=30, limits=httpx.Limits(max_connections=args.concurrency))

    def send(task_id: str) -> int:
        body = json.dumps(server.payload(task_id, plan_id="plan-bench")).encode()
        sent_at[task_id] = time.monotonic()
        return server.post(body, client=client).status_code

    started = time.monotonic()
    with ThreadPoolExecutor(args.concurrency) as pool:
        codes = list(pool.map(send, ids))
    accepted = time.monotonic() - started
    client.close()
    deadline = started + args.timeout
    while time.monotonic() < deadline and not all(server.api.final(i) for i in ids):
        time.sleep(0.05)
    finished = time.monotonic() - started

    finals = {i: server.api.requests_to(f"/api/v2/task-results/{i}/callback") for i in ids}
    latencies = []
    exactly_once = 0
    for task_id, seen in finals.items():
        final = [s for s in seen if s.body and s.body["data"]["attributes"]["status"] != "running"]
        if len(final) == 1:
            exactly_once += 1
            latencies.append(final[0].at - sent_at[task_id])
    latencies.sort()
    print(f"requests: {args.requests} at concurrency {args.concurrency}, {args.resources} resources per plan")
    print(f"answered 200: {codes.count(200)} in {accepted:.2f} s ({args.requests / accepted:.0f} requests/s)")
    print(f"final callbacks: {exactly_once} tasks with exactly one, in {finished:.2f} s "
          f"({exactly_once / finished:.0f} tasks/s with {args.workers} workers)")  # fmt: skip
    if latencies:
        p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
        print(f"time to final callback: p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s")
    ok = codes.count(200) == args.requests and exactly_once == args.requests
    print("every task got exactly one final callback" if ok else "LOST OR DUPLICATED TASKS")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
