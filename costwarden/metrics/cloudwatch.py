"""CloudWatch through boto3 (``costwarden[aws]``): the CloudWatch agent's NVIDIA metrics per
EC2 instance, and SageMaker endpoint GPU metrics and invocations.

- EC2: ``CWAgent`` ``nvidia_smi_utilization_gpu`` and ``nvidia_smi_memory_used`` (MB) with an
  ``InstanceId`` dimension; ``AWS/EC2`` has no GPU utilization metric.
- SageMaker: ``/aws/sagemaker/Endpoints`` ``GPUUtilization`` and ``GPUMemoryUtilization``
  (0-100 x GPUs per instance) and ``AWS/SageMaker`` ``Invocations``, by ``EndpointName`` and
  ``VariantName``.

All series are fetched with ``get_metric_data``, up to 500 at a time, as 5-minute averages
over the window; average and 95th percentile are taken over those.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from costwarden.errors import MetricsError
from costwarden.metrics.base import Measured, endpoint_names, gpus_of, summarize
from costwarden.model import Problem, Resource, Utilization
from costwarden.pricing.gpus import MEMORY_GIB, gpu_class

BATCH = 500


@dataclass(frozen=True)
class _Query:
    key: str
    id: str
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str


class CloudWatchSource:
    name = "cloudwatch"

    def __init__(
        self,
        region: str,
        window_hours: float = 168,
        endpoint_url: str | None = None,
        timeout: float = 10,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        try:
            import boto3
            from botocore.config import Config as BotoConfig
        except ImportError:
            raise MetricsError("the CloudWatch source needs boto3: pip install 'costwarden[aws]'") from None
        config = BotoConfig(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 2})
        self._client = boto3.client("cloudwatch", region_name=region, endpoint_url=endpoint_url, config=config)
        self.window_hours = window_hours
        self._now = now

    def utilization(self, resources: Sequence[Resource]) -> Measured:
        measured = Measured()
        queries: list[_Query] = []
        gpus: dict[str, float] = {}
        endpoints = endpoint_names(resources)
        for index, resource in enumerate(resources):
            count = gpus_of(resource)
            if not count or resource.compute is None:
                continue
            gpus[resource.key] = count
            dims: tuple[tuple[str, str], ...]
            if resource.cloud_id and resource.cloud_id.startswith("i-"):
                dims = (("InstanceId", resource.cloud_id),)
                queries += [
                    _Query(resource.key, f"u{index}", "CWAgent", "nvidia_smi_utilization_gpu", dims, "Average"),
                    _Query(resource.key, f"m{index}", "CWAgent", "nvidia_smi_memory_used", dims, "Maximum"),
                ]
            elif (name := endpoints.get(resource.key)) is not None and resource.compute.service == "sagemaker":
                variant = _variant(resource)
                dims = (("EndpointName", name), ("VariantName", variant))
                namespace = "/aws/sagemaker/Endpoints"
                queries += [
                    _Query(resource.key, f"u{index}", namespace, "GPUUtilization", dims, "Average"),
                    _Query(resource.key, f"m{index}", namespace, "GPUMemoryUtilization", dims, "Maximum"),
                    _Query(resource.key, f"r{index}", "AWS/SageMaker", "Invocations", dims, "Sum"),
                ]
        if not queries:
            return measured
        try:
            values = self._fetch(queries)
        except Exception as exc:  # botocore's errors: one warning naming the source, no values
            measured.warnings.append(Problem(f"cloudwatch: {type(exc).__name__}: {_first_line(exc)}"))
            return measured
        by_resource: dict[str, dict[str, list[float]]] = {}
        for query in queries:
            by_resource.setdefault(query.key, {})[query.id[0]] = values.get(query.id, [])
        lookup = {r.key: r for r in resources}
        for key, series in by_resource.items():
            found = summarize(series.get("u", []))
            if found is None:
                continue
            average, p95 = found
            resource, count = lookup[key], gpus[key]
            sagemaker = resource.compute is not None and resource.compute.service == "sagemaker"
            scale = count if sagemaker else 1.0  # SageMaker reports 0-100 x GPUs
            memory = max(series.get("m", []), default=None)
            measured.by_key[key] = Utilization(
                source="cloudwatch",
                gpu_util_avg=average / scale,
                gpu_util_p95=p95 / scale,
                gpu_memory_peak_gib=_memory_gib(resource, memory, count, sagemaker),
                window_hours=self.window_hours,
                samples=len(series.get("u", [])),
                requests_per_hour=sum(series["r"]) / self.window_hours if series.get("r") else None,
            )
        return measured

    def _fetch(self, queries: list[_Query]) -> dict[str, list[float]]:
        end = self._now()
        start = end - timedelta(hours=self.window_hours)
        values: dict[str, list[float]] = {}
        for offset in range(0, len(queries), BATCH):
            batch = queries[offset : offset + BATCH]
            request: dict[str, Any] = {
                "MetricDataQueries": [
                    {
                        "Id": q.id,
                        "MetricStat": {
                            "Metric": {
                                "Namespace": q.namespace,
                                "MetricName": q.metric,
                                "Dimensions": [{"Name": n, "Value": v} for n, v in q.dimensions],
                            },
                            "Period": 300,
                            "Stat": q.stat,
                        },
                    }
                    for q in batch
                ],
                "StartTime": start,
                "EndTime": end,
            }
            for page in self._client.get_paginator("get_metric_data").paginate(**request):
                for result in page.get("MetricDataResults", []):
                    values.setdefault(result["Id"], []).extend(float(v) for v in result.get("Values", []))
        return values


def _variant(resource: Resource) -> str:
    variants = resource.attributes.get("production_variants") or resource.attributes.get("ProductionVariants") or []
    if isinstance(variants, list) and variants and isinstance(variants[0], dict):
        name = variants[0].get("variant_name") or variants[0].get("VariantName")
        if isinstance(name, str):
            return name
    return "AllTraffic"


def _memory_gib(resource: Resource, value: float | None, gpus: float, sagemaker: bool) -> float | None:
    if value is None:
        return None
    if not sagemaker:
        return value / 1024  # MB
    compute = resource.compute
    per_gpu = compute.gpu.memory_gib if compute and compute.gpu and compute.gpu.memory_gib else None
    label = gpu_class(compute.gpu.model) if compute and compute.gpu else None
    capacity = per_gpu or MEMORY_GIB.get(label or "", 0.0)
    return value / gpus / 100 * capacity if capacity else None


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [""])[0][:160]
