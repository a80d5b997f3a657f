"""The usage file: what the IaC cannot say about how much a resource runs.

Like Infracost's usage file, every figure is declared, never guessed::

    version: 0.1
    resource_type_default_usage:
      aws_instance:
        schedule: {hours_per_day: 10, days_per_week: 5}
    resource_usage:
      aws_instance.trainer:
        hours_per_month: 200
      module.serving.aws_sagemaker_endpoint_configuration.llm["*"]:
        instance_hours_per_month: 1500
      TrainingJob/llm-finetune:
        runs_per_month: 4
        run_hours: 12

Entries apply from the most general to the most specific: the type's default, then address
patterns (``*`` matches anything, longest pattern last), then the exact address. Without an
entry a resource runs 730 hours a month, and a training job once a month (said in its basis).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from costwarden.errors import ConfigError
from costwarden.model import Compute, Resource
from costwarden.validation import read_yaml_mapping, validate_model

HOURS_PER_WEEK = 168.0


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Schedule(_Strict):
    hours_per_day: Annotated[float, Field(ge=0, le=24)]
    days_per_week: Annotated[float, Field(ge=0, le=7)]

    @property
    def hours_per_month(self) -> float:
        return self.hours_per_day * self.days_per_week * 730 / HOURS_PER_WEEK


class Usage(_Strict):
    hours_per_month: Annotated[float, Field(ge=0, le=744)] | None = None
    schedule: Schedule | None = None
    runs_per_month: Annotated[float, Field(ge=0)] | None = None
    run_hours: Annotated[float, Field(gt=0)] | None = None
    instance_hours_per_month: Annotated[float, Field(ge=0)] | None = None
    """All instances together, for autoscaled fleets: replaces count x hours."""


class UsageFile(_Strict):
    version: Literal["0.1"] = "0.1"
    """Written ``version: 0.1`` (a YAML number) as in Infracost's usage files, or quoted."""
    resource_type_default_usage: dict[str, Usage] = Field(default_factory=dict)
    resource_usage: dict[str, Usage] = Field(default_factory=dict)

    @field_validator("version", mode="before")
    @classmethod
    def _number_or_text(cls, value: object) -> object:
        return "0.1" if value == 0.1 else value

    def for_resource(self, resource: Resource) -> list[tuple[str, Usage]]:
        """The entries that apply, most general first."""
        found: list[tuple[str, Usage]] = []
        if resource.type in self.resource_type_default_usage:
            found.append((resource.type, self.resource_type_default_usage[resource.type]))
        patterns = sorted((key for key in self.resource_usage if "*" in key), key=len)
        found += [(key, self.resource_usage[key]) for key in patterns if _matches(key, resource.address)]
        if resource.address in self.resource_usage:
            found.append((resource.address, self.resource_usage[resource.address]))
        return found


def _matches(pattern: str, address: str) -> bool:
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, address) is not None


def load_usage(path: Path) -> UsageFile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read usage file: {exc.strerror}", path=path) from None
    except UnicodeDecodeError:
        raise ConfigError("cannot read usage file: not UTF-8 text", path=path) from None
    data, lines = read_yaml_mapping(text, str(path), ConfigError)
    return validate_model(UsageFile, data, str(path), ConfigError, line_of=lines)


def apply_usage(resources: Sequence[Resource], usage: UsageFile) -> tuple[list[Resource], list[str]]:
    """Resources with their declared usage; the usage keys that matched nothing."""
    used: set[str] = set()
    applied = []
    for resource in resources:
        entries = usage.for_resource(resource)
        if not entries or resource.compute is None:
            applied.append(resource)
            continue
        used.update(key for key, _ in entries)
        applied.append(
            dataclasses.replace(
                resource,
                compute=_with(resource.compute, entries),
                extra_compute=tuple(_with(c, entries) for c in resource.extra_compute),
            )
        )
    declared = set(usage.resource_usage) | set(usage.resource_type_default_usage)
    return applied, sorted(declared - used)


def _with(compute: Compute, entries: Sequence[tuple[str, Usage]]) -> Compute:
    hours, runs, run_hours, instance_hours = (
        compute.hours_per_month,
        compute.runs_per_month,
        compute.run_hours,
        compute.instance_hours,
    )
    for _, usage in entries:
        if usage.schedule is not None:
            hours = usage.schedule.hours_per_month
        elif usage.hours_per_month is not None:
            hours = usage.hours_per_month
        runs = usage.runs_per_month if usage.runs_per_month is not None else runs
        run_hours = usage.run_hours if usage.run_hours is not None else run_hours
        if usage.instance_hours_per_month is not None:
            instance_hours = usage.instance_hours_per_month
    note = f"usage file: {', '.join(key for key, _ in entries)}"
    return dataclasses.replace(
        compute,
        hours_per_month=hours,
        runs_per_month=runs,
        run_hours=run_hours,
        instance_hours=instance_hours,
        assumptions=(*compute.assumptions, note),
    )
