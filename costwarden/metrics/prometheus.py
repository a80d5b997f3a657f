"""Prometheus HTTP API (``/api/v1/query_range``) with NVIDIA DCGM exporter metrics.

``DCGM_FI_DEV_GPU_UTIL`` (percent per GPU) and ``DCGM_FI_DEV_FB_USED`` (MiB) are fetched in
one query each for every series, grouped by ``namespace``, ``pod``, ``Hostname`` and
``hostname`` (and their ``exported_`` forms). A Kubernetes workload is joined to the pods
named after it in its namespace; an EC2 instance to the ``Hostname`` of its private DNS name.
A request-rate query (per second, by namespace and pod) can be configured.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from costwarden.errors import MetricsError
from costwarden.metrics.base import Measured, gpus_of, kubernetes_workload, summarize
from costwarden.model import Problem, Resource, Utilization

UTIL = "avg by (namespace, pod, exported_namespace, exported_pod, Hostname, hostname) (DCGM_FI_DEV_GPU_UTIL)"
MEMORY = "max by (namespace, pod, exported_namespace, exported_pod, Hostname, hostname) (DCGM_FI_DEV_FB_USED)"


class PrometheusSource:
    name = "prometheus"

    def __init__(
        self,
        url: str,
        window_hours: float = 168,
        step_seconds: int = 300,
        request_rate_query: str | None = None,
        timeout: float = 10,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise MetricsError(f"not a Prometheus URL: {url!r}")
        self.url = url.rstrip("/")
        self.window_hours = window_hours
        self.step = step_seconds
        self.request_rate_query = request_rate_query
        self.timeout = timeout
        self._now = now

    def utilization(self, resources: Sequence[Resource]) -> Measured:
        measured = Measured()
        wanted = [r for r in resources if gpus_of(r) and (kubernetes_workload(r) or _hostname(r))]
        if not wanted:
            return measured
        try:
            util = self._range(UTIL)
            memory = self._range(MEMORY)
            rate = self._range(self.request_rate_query) if self.request_rate_query else []
        except MetricsError as exc:
            measured.warnings.append(Problem(f"prometheus: {exc.message}"))
            return measured
        for resource in wanted:
            samples = [v for series in util if _matches(series["metric"], resource) for v in _values(series)]
            found = summarize(samples)
            if found is None:
                continue
            peaks = [v for series in memory if _matches(series["metric"], resource) for v in _values(series)]
            rates = [_values(series) for series in rate if _matches(series["metric"], resource)]
            per_second = sum(sum(v) / len(v) for v in rates if v) if rates else None
            measured.by_key[resource.key] = Utilization(
                source="prometheus",
                gpu_util_avg=found[0],
                gpu_util_p95=found[1],
                gpu_memory_peak_gib=max(peaks) / 1024 if peaks else None,
                window_hours=self.window_hours,
                samples=len(samples),
                requests_per_hour=None if per_second is None else per_second * 3600,
            )
        return measured

    def _range(self, query: str) -> list[dict[str, Any]]:
        end = self._now()
        start = end - timedelta(hours=self.window_hours)
        parameters = urllib.parse.urlencode(
            {"query": query, "start": start.timestamp(), "end": end.timestamp(), "step": self.step}
        )
        request = urllib.request.Request(
            f"{self.url}/api/v1/query_range", data=parameters.encode(), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                document = json.load(response)
        except urllib.error.HTTPError as exc:
            raise MetricsError(f"HTTP {exc.code} from {self.url}: {_error_of(exc)}") from None
        except (OSError, json.JSONDecodeError) as exc:
            raise MetricsError(f"{self.url} did not answer: {exc}") from None
        if document.get("status") != "success":
            raise MetricsError(f"{document.get('errorType', 'error')}: {document.get('error', '')}")
        result = document.get("data", {}).get("result", [])
        return [series for series in result if isinstance(series, dict)]


def _error_of(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read() or b"{}").get("error", exc.reason))
    except (json.JSONDecodeError, OSError):
        return str(exc.reason)


def _values(series: dict[str, Any]) -> list[float]:
    found = []
    for _, value in series.get("values", []):
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            found.append(number)
    return found


def _hostname(resource: Resource) -> str | None:
    dns = resource.attributes.get("private_dns")
    return dns.split(".")[0] if isinstance(dns, str) and dns else None


def _matches(labels: dict[str, str], resource: Resource) -> bool:
    workload = kubernetes_workload(resource)
    if workload is not None:
        namespace, name = workload
        pod = labels.get("pod") or labels.get("exported_pod") or ""
        space = labels.get("namespace") or labels.get("exported_namespace") or ""
        return space == namespace and (pod == name or pod.startswith(f"{name}-"))
    host = _hostname(resource)
    return host is not None and host in (labels.get("Hostname"), labels.get("hostname"))
