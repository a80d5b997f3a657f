"""Real servers for the metrics tests: Prometheus over a TSDB block built by promtool."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.requires import unavailable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def dcgm_openmetrics(now: int, host: str = "ip-10-0-1-7", hours: int = 24) -> str:
    """DCGM exporter series as the exporter names them: 8 A100s idling at 5-14%, 12 GiB used,
    and two vLLM pods of a Deployment at 20-29%."""
    lines = ["# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).", "# TYPE DCGM_FI_DEV_GPU_UTIL gauge"]
    start, end = now - hours * 3600, now - 600
    for t in range(start, end, 300):
        for gpu in range(8):
            lines.append(
                f'DCGM_FI_DEV_GPU_UTIL{{gpu="{gpu}",Hostname="{host}",modelName="NVIDIA A100-SXM4-40GB"}} {5 + (t // 300 + gpu) % 10} {t}'
            )
        for pod in ("llm-7d9f-abc", "llm-7d9f-def"):
            lines.append(
                f'DCGM_FI_DEV_GPU_UTIL{{gpu="0",namespace="serving",pod="{pod}",Hostname="ip-10-0-9-9"}} {20 + (t // 300) % 10} {t}'
            )
    lines += ["# HELP DCGM_FI_DEV_FB_USED Framebuffer memory used (in MiB).", "# TYPE DCGM_FI_DEV_FB_USED gauge"]
    for t in range(start, end, 300):
        lines.append(f'DCGM_FI_DEV_FB_USED{{gpu="0",Hostname="{host}"}} 12288 {t}')
        lines.append(
            f'DCGM_FI_DEV_FB_USED{{gpu="0",namespace="serving",pod="llm-7d9f-abc",Hostname="ip-10-0-9-9"}} 10240 {t}'
        )
    lines += ["# HELP vllm_requests_per_second Requests served.", "# TYPE vllm_requests_per_second gauge"]
    for t in range(start, end, 300):
        lines.append(f'vllm_requests_per_second{{namespace="serving",pod="llm-7d9f-abc"}} 0.5 {t}')
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


@contextmanager
def prometheus(workdir: Path, now: int) -> Iterator[str]:
    binary, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if not binary or not promtool:
        unavailable("Prometheus is not installed (.ci/run installs Debian's prometheus package)")
    (workdir / "samples.om").write_text(dcgm_openmetrics(now))
    data = workdir / "data"
    subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", str(workdir / "samples.om"), str(data)],
                   check=True, capture_output=True)  # fmt: skip
    (workdir / "prometheus.yml").write_text("global:\n  scrape_interval: 1h\nscrape_configs: []\n")
    port = free_port()
    process = subprocess.Popen(
        [binary, f"--config.file={workdir / 'prometheus.yml'}", f"--storage.tsdb.path={data}",
         "--storage.tsdb.retention.time=3650d", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=(workdir / "prometheus.log").open("w"), env={**os.environ},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError((workdir / "prometheus.log").read_text()[-2000:]) from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
