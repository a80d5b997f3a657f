"""Utilization from a file (CSV or JSON): the offline default, and what other sources export.

Columns (CSV header, or JSON object keys): ``resource`` (an address or a cloud id),
``gpu_util_avg`` and optional ``gpu_util_p95`` (percent; per GPU, or the sum over GPUs when a
``gpus`` column says how many), ``gpu_memory_peak_gib``, ``window_hours``, ``samples``,
``requests_per_hour``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from costwarden.errors import MetricsError
from costwarden.metrics.base import Measured
from costwarden.model import Resource, Utilization

COLUMNS = (
    "resource",
    "gpu_util_avg",
    "gpu_util_p95",
    "gpu_memory_peak_gib",
    "window_hours",
    "samples",
    "requests_per_hour",
    "gpus",
)
REQUIRED = ("resource", "gpu_util_avg")


def read_file(path: Path) -> dict[str, Utilization]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise MetricsError(f"cannot read metrics file: {exc.strerror}", path=path) from None
    except UnicodeDecodeError:
        raise MetricsError("not UTF-8 text", path=path) from None
    rows: list[tuple[int, Mapping[str, Any]]]
    if path.suffix == ".json" or text.lstrip().startswith(("[", "{")):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MetricsError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno) from None
        items = document.get("resources", document) if isinstance(document, dict) else document
        if not isinstance(items, list):
            raise MetricsError('expected a list of rows (or {"resources": [...]})', path=path, line=1)
        rows = [(index + 1, item) for index, item in enumerate(items)]
    else:
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise MetricsError(f"missing column {missing[0]!r} (columns: {', '.join(COLUMNS)})", path=path, line=1)
        rows = [(reader.line_num, row) for row in reader]
    return dict(_row(path, line, row) for line, row in rows)


def _number(path: Path, line: int, row: Mapping[str, Any], column: str, required: bool = False) -> float | None:
    value = row.get(column)
    if value in (None, ""):
        if required:
            raise MetricsError(f"missing {column}", path=path, line=line)
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise MetricsError(f"{column}: not a number: {value!r}", path=path, line=line) from None
    if not math.isfinite(number) or number < 0:
        raise MetricsError(f"{column}: must be zero or more: {value!r}", path=path, line=line)
    return number


def _row(path: Path, line: int, row: Any) -> tuple[str, Utilization]:
    if not isinstance(row, Mapping):
        raise MetricsError("a row must be an object", path=path, line=line)
    unknown = sorted(set(row) - set(COLUMNS))
    if unknown:
        raise MetricsError(f"unknown column {unknown[0]!r}", path=path, line=line)
    resource = row.get("resource")
    if not isinstance(resource, str) or not resource:
        raise MetricsError("missing resource", path=path, line=line)
    gpus = _number(path, line, row, "gpus") or 1.0
    average = _number(path, line, row, "gpu_util_avg", required=True) or 0.0
    p95 = _number(path, line, row, "gpu_util_p95")
    for label, value in (("gpu_util_avg", average), ("gpu_util_p95", p95)):
        if value is not None and value > 100 * gpus:
            raise MetricsError(f"{label} {value:g} is over 100 x {gpus:g} GPUs", path=path, line=line)
    samples = _number(path, line, row, "samples")
    return resource, Utilization(
        source=f"file {path}",
        gpu_util_avg=average / gpus,
        gpu_util_p95=None if p95 is None else p95 / gpus,
        gpu_memory_peak_gib=_number(path, line, row, "gpu_memory_peak_gib"),
        window_hours=_number(path, line, row, "window_hours"),
        samples=None if samples is None else int(samples),
        requests_per_hour=_number(path, line, row, "requests_per_hour"),
    )


class FileSource:
    name = "file"

    def __init__(self, path: Path):
        self.path = path
        self.rows = read_file(path)

    def utilization(self, resources: Sequence[Resource]) -> Measured:
        measured = Measured()
        for resource in resources:
            found = self.rows.get(resource.address) or (self.rows.get(resource.cloud_id) if resource.cloud_id else None)
            if found is not None:
                measured.by_key[resource.key] = found
        return measured


def export(rows: Mapping[str, Utilization], stream: io.TextIOBase | Any) -> None:
    """Write what any source measured in this file's CSV format."""
    writer = csv.writer(stream)
    writer.writerow(COLUMNS[:-1])
    for resource, u in sorted(rows.items()):
        samples = "" if u.samples is None else str(u.samples)
        values = (u.gpu_util_avg, u.gpu_util_p95, u.gpu_memory_peak_gib, u.window_hours)
        writer.writerow([resource, *map(_fmt, values), samples, _fmt(u.requests_per_hour)])


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"
