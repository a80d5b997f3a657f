"""``.costwarden.yaml`` or ``[tool.costwarden]`` in ``pyproject.toml``, validated.

Unknown keys and wrong types are errors that name the file, the key and, for YAML, the line.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from costwarden.errors import ConfigError
from costwarden.model import Severity
from costwarden.validation import read_yaml_mapping, validate_model

CONFIG_FILENAMES = (".costwarden.yaml", ".costwarden.yml")
DEFAULT_REQUIRED_TAGS = (
    "finops:team",
    "finops:service",
    "finops:environment",
    "finops:cost-center",
)

DEFAULT_REGIONS = {"aws": "us-east-1", "google": "us-central1", "azure": "eastus"}

SeverityName = Literal["info", "low", "medium", "high", "critical"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TagValueRule(_Strict):
    """What a tag's value may be: one of ``allowed``, or a full match of ``pattern``, or both."""

    allowed: list[str] | None = None
    pattern: str | None = None

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _says_something(self) -> TagValueRule:
        if self.allowed is None and self.pattern is None:
            raise ValueError("give 'allowed', 'pattern' or both")
        return self

    def accepts(self, value: str) -> bool:
        if self.allowed is not None and value not in self.allowed:
            return False
        return self.pattern is None or re.fullmatch(self.pattern, value) is not None


class TagsConfig(_Strict):
    required: list[str] = Field(
        default_factory=lambda: list(DEFAULT_REQUIRED_TAGS),
        description="Tag keys every taggable resource must carry (CW101).",
    )
    required_by_type: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Per resource type, the keys required instead of 'required' (it replaces the list).",
    )
    also_required_by_type: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Per resource type, keys required on top of 'required' (or of its required_by_type).",
    )
    values: dict[str, TagValueRule] = Field(
        default_factory=dict, description="Allowed values or a pattern per tag key (CW102)."
    )

    def required_for(self, resource_type: str) -> list[str]:
        keys = self.required_by_type.get(resource_type, self.required)
        extra = [k for k in self.also_required_by_type.get(resource_type, []) if k not in keys]
        return [*keys, *extra]


class ActiveHours(_Strict):
    hours_per_day: float = Field(default=12, ge=0, le=24)
    days_per_week: float = Field(default=5, ge=0, le=7)

    @property
    def hours_per_month(self) -> float:
        return self.hours_per_day * self.days_per_week * 730 / 168


class InferenceConfig(_Strict):
    production_environments: list[str] = Field(
        default_factory=lambda: ["prod", "production", "prd", "live"],
        description="Values of finops:environment (or environment/env labels) that mean production.",
    )
    production_min_replicas: int = Field(default=1, ge=0, description="CW401: the floor allowed in production.")
    active_hours: ActiveHours = Field(
        default_factory=ActiveHours, description="CW401/CW402: when inference is used; the rest scales to zero."
    )


class TrainingConfig(_Strict):
    spot_interruptions_per_month: float = Field(
        default=0.2,
        ge=0,
        description=(
            "CW302: interruptions per spot instance-month where the Spot Advisor has no band for the type "
            "and region; when set, used everywhere."
        ),
    )
    max_wait_ratio: float = Field(default=2.0, ge=1, description="CW303: MaxWaitTimeInSeconds / MaxRuntimeInSeconds.")


class RegoConfig(_Strict):
    engine: Literal["embedded", "opa"] = Field(default="embedded", description="embedded (regorus) or an OPA server.")
    opa_url: str | None = Field(default=None, description="OPA's base URL, for engine: opa.")
    namespaces: list[str] = Field(default_factory=lambda: ["main"], description="Packages whose rules run.")
    all_namespaces: bool = False
    data: list[str] = Field(default_factory=list, description="JSON or YAML files loaded as data documents.")
    input: Literal["normalized", "raw"] = Field(
        default="normalized", description="input.resources (normalized), or each original document (raw)."
    )
    combine: bool = Field(default=False, description="raw: every document in one input, as conftest --combine.")
    builtin: bool = Field(default=False, description="Run the built-in Rego pack in place of its Python twins.")
    timeout_seconds: float = Field(default=10.0, gt=0, description="A rule running longer is stopped.")


class MetricsConfig(_Strict):
    file: str | None = Field(default=None, description="CSV or JSON utilization file, relative to the config.")
    cloudwatch_region: str | None = Field(default=None, description="Read CloudWatch in this region (boto3).")
    cloudwatch_endpoint: str | None = Field(
        default=None, description="CloudWatch endpoint URL (a proxy, VPC endpoint)."
    )
    prometheus_url: str | None = Field(default=None, description="Prometheus base URL with DCGM exporter metrics.")
    request_rate_query: str | None = Field(
        default=None, description="PromQL giving requests per second by namespace and pod (for CW501)."
    )
    window_hours: float = Field(default=168, gt=0, description="How far back to measure.")
    timeout_seconds: float = Field(default=10, gt=0)
    inference_target: float = Field(default=70, gt=0, le=100, description="CW201: utilization inference should reach.")
    training_target: float = Field(default=80, gt=0, le=100, description="CW201: utilization training should reach.")
    memory_headroom: float = Field(default=1.2, ge=1, description="CW201: GPU memory kept above the measured peak.")


class CheckovConfig(_Strict):
    enabled: bool = Field(default=False, description="Also run Checkov's checks on the same inputs.")
    binary: str | None = Field(
        default=None, description="The checkov executable, relative to the config (default: beside costwarden, PATH)."
    )
    checks: list[str] = Field(default_factory=list, description="Only these CKV_* ids.")
    skip_checks: list[str] = Field(default_factory=list, description="Not these ids.")
    external_checks_dirs: list[str] = Field(
        default_factory=list, description="Folders of custom Python or YAML checks, relative to the config."
    )
    severity: SeverityName = Field(default="high", description="For checks that carry no severity.")
    fail_on: Literal["info", "low", "medium", "high", "critical", "never"] | None = Field(
        default=None,
        description="Checkov findings fail the gate at this severity (default: fail_on); they never count "
        "towards fail_on_cost, as they carry no cost.",
    )
    timeout_seconds: float = Field(default=900, gt=0, description="Checkov running longer is stopped.")


class BudgetConfig(_Strict):
    cost_per_inference_usd: float = Field(default=0.001, gt=0, description="CW501: the most one inference may cost.")


class TerraformConfig(_Strict):
    roots: list[str] = Field(
        default_factory=list,
        description="Folders that are root modules (relative to the config), besides those found: a folder no other "
        "calls as a module, or one with a provider, backend or cloud block.",
    )
    var_files: list[str] = Field(
        default_factory=list,
        description="Variable files read after each root's terraform.tfvars and *.auto.tfvars "
        "(relative to the config).",
    )
    workspace: str = Field(default="default", description="terraform.workspace when .tf files are evaluated.")


class PolicyConfig(_Strict):
    enabled: bool = True
    severity: SeverityName | None = None


class Config(_Strict):
    fail_on: Literal["info", "low", "medium", "high", "critical", "never"] = Field(
        default="high", description="Exit 1 when a violation reaches this severity."
    )
    fail_on_cost: float | None = Field(
        default=None,
        ge=0,
        description="Exit 1 when a violation's monthly impact reaches this many USD.",
    )
    fail_on_unevaluated: bool = Field(
        default=False,
        description="Exit 1 when an accelerator workload or a module could not be evaluated (recommended in CI).",
    )
    max_input_bytes: int = Field(
        default=512 << 20, gt=0, description="The largest input file read; a larger one is an error, never read."
    )
    default_regions: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_REGIONS),
        description="Per provider (aws, google, azure), the region assumed when the IaC declares none.",
    )
    kubernetes_cloud: Literal["aws", "google", "azure"] = Field(
        default="aws",
        description="The cloud whose prices apply to GPU classes named without one (nvidia.com/gpu.product).",
    )
    usage_file: str | None = Field(
        default=None, description="Usage file (hours, runs, instance-hours per resource), relative to the config."
    )
    waivers_file: str = Field(
        default=".costwarden-waivers.yaml",
        description="Waivers (policy, resource glob, reason, owner, expires), relative to the config; read if present.",
    )
    baseline_file: str | None = Field(
        default=None,
        description="A baseline (costwarden baseline create): only violations not in it count; relative to the config.",
    )
    tags: TagsConfig = Field(default_factory=TagsConfig)
    policy_paths: list[str] = Field(
        default_factory=list,
        description="Directories or files of user policies (.py and .rego), relative to the config.",
    )
    rego: RegoConfig = Field(default_factory=RegoConfig)
    checkov: CheckovConfig = Field(default_factory=CheckovConfig)
    terraform: TerraformConfig = Field(default_factory=TerraformConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    budget: BudgetConfig = Field(default_factory=BudgetConfig)
    inference: InferenceConfig = Field(default_factory=InferenceConfig)
    training: TrainingConfig = Field(default_factory=TrainingConfig)
    policies: dict[str, PolicyConfig] = Field(
        default_factory=dict, description="Per policy id or name: enabled, severity."
    )
    checks: list[str] = Field(
        default_factory=list,
        description="Run only these policies, by id or name; globs such as CW3* (--check). Empty: all.",
    )
    skip_checks: list[str] = Field(
        default_factory=list, description="Never run these policies, by id or name; globs (--skip-check)."
    )

    def every_policy(self) -> Config:
        """This config with no policy turned off or left out: which policies exist, not which run."""
        return self.model_copy(update={"policies": {}, "checks": [], "skip_checks": []})

    def enabled(self, policy_id: str, name: str) -> bool:
        """On in ``policies:``, named by ``checks`` (when given), not named by ``skip_checks``."""
        if not self.policy(policy_id, name).enabled:
            return False

        def named(patterns: list[str]) -> bool:
            return any(fnmatch.fnmatchcase(policy_id, p) or fnmatch.fnmatchcase(name, p) for p in patterns)

        return (not self.checks or named(self.checks)) and not named(self.skip_checks)

    def policy(self, policy_id: str, name: str) -> PolicyConfig:
        return self.policies.get(policy_id) or self.policies.get(name) or PolicyConfig()

    def severity_for(self, policy_id: str, name: str, default: Severity) -> Severity:
        configured = self.policy(policy_id, name).severity
        return Severity.parse(configured) if configured else default

    def default_region(self, provider: str) -> str | None:
        return self.default_regions.get(provider, DEFAULT_REGIONS.get(provider))

    @property
    def fail_on_severity(self) -> Severity | None:
        return None if self.fail_on == "never" else Severity.parse(self.fail_on)


def config_schema() -> dict[str, Any]:
    schema = Config.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "costwarden configuration (.costwarden.yaml or [tool.costwarden])"
    return schema


def find_config(directory: Path) -> Path | None:
    """The config that applies in ``directory``: ``.costwarden.yaml``, else a ``pyproject.toml``
    with a ``[tool.costwarden]`` table."""
    for name in CONFIG_FILENAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file() and re.search(r"^\[tool\.costwarden[\].]", pyproject.read_text(errors="replace"), re.M):
        return pyproject
    return None


def load_config(path: Path | None = None, *, cwd: Path | None = None) -> Config:
    """Read ``path``, or discover the config in ``cwd``; defaults when there is none."""
    if path is None:
        path = find_config(cwd or Path.cwd())
        if path is None:
            return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config: {exc.strerror}", path=path) from None
    except UnicodeDecodeError:
        raise ConfigError("cannot read config: not UTF-8 text", path=path) from None
    if path.name == "pyproject.toml":
        return _from_pyproject(text, path)
    return _from_yaml(text, path)


def parse_config(data: Mapping[str, Any], *, source: str = "<config>") -> Config:
    return validate_model(Config, data, source, ConfigError)


def _from_pyproject(text: str, path: Path) -> Config:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=path) from None
    table = document.get("tool", {}).get("costwarden", {})
    return validate_model(Config, table, str(path), ConfigError, prefix="tool.costwarden.")


def _from_yaml(text: str, path: Path) -> Config:
    data, lines = read_yaml_mapping(text, str(path), ConfigError)
    return validate_model(Config, data, str(path), ConfigError, line_of=lines)
