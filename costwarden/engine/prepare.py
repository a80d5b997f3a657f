"""``prepare()``: a config file, its folder and a shell's overrides -> ``ScanOptions``.

Paths in the config are relative to the config's folder; paths in ``Overrides`` to ``cwd``.
Every problem is a ``CostwardenError`` naming the file (and line) or the option.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from costwarden.config import Config, find_config, load_config
from costwarden.engine.options import ScanOptions
from costwarden.errors import ConfigError, CostwardenError, LoadError, PolicyError
from costwarden.loaders.tf_inputs import TerraformInputs, absolute
from costwarden.metrics.base import MetricsSource
from costwarden.metrics.cloudwatch import CloudWatchSource
from costwarden.metrics.file import FileSource
from costwarden.metrics.prometheus import PrometheusSource
from costwarden.model import Problem, Severity, is_checkov_id
from costwarden.policies import BUILTIN
from costwarden.policies.user import installed_policies, load_python_policies
from costwarden.pricing.catalog import load_catalog, shipped_catalog
from costwarden.pricing.usage import UsageFile, load_usage
from costwarden.rego.policies import builtin_ids, policy_files
from costwarden.rego.run import RegoOptions
from costwarden.sources.base import PolicySource
from costwarden.sources.checkov import CheckovOptions, CheckovPolicies, find_checkov
from costwarden.sources.python import PythonPolicies
from costwarden.sources.rego import RegoPolicies
from costwarden.suppress.apply import SuppressOptions
from costwarden.suppress.baseline import load_baseline
from costwarden.suppress.waivers import Waiver, load_waivers
from costwarden.validation import did_you_mean, validate_model


@dataclass(frozen=True)
class Overrides:
    """What a shell says over the config file: its flags, or a library caller's choices."""

    settings: Mapping[str, Any] = field(default_factory=dict)
    """Config keys, validated like the file (``{"fail_on": "low", "rego": {"builtin": True}}``);
    path values in them must be absolute (a shell resolves them against its working folder)."""
    policy_paths: Sequence[Path] = ()
    """User policies (``.py``, ``.rego``) run beside the config's ``policy_paths``."""
    data_files: Sequence[Path] = ()
    """Rego data documents loaded beside the config's ``rego.data``."""
    usage_file: Path | None = None
    waivers_file: Path | None = None
    """In place of the config's ``waivers_file``; unlike that one, it must exist."""
    baseline_file: Path | None = None
    catalog_dir: Path | None = None
    price_fallback_region: str | None = None
    """Price an EC2 type with no price in its region at this region's rate (opt-in, said)."""
    tf_dir: Path | None = None
    var_files: Sequence[Path] = ()
    """``--var-file``, after the config's ``terraform.var_files``."""
    variables: Mapping[str, str] = field(default_factory=dict)
    """``--var NAME=VALUE``."""
    workspace: str | None = None
    input_format: str | None = None
    skip_unrecognized: bool = False
    suppress: bool = True
    """False: count every violation, as if nothing were waived (``--no-suppress``)."""
    changed_only: bool = False
    jobs: int | None = None
    """Processes reading files; ``None``: one per core (``ScanOptions.jobs``)."""
    policies: bool = True
    """False: run no policy at all (``costwarden cost``, ``metrics export``)."""
    discover: bool = True
    """False (``--no-config-discovery``): read no ``.costwarden.yaml`` or waivers file found in the
    scanned folder, for scanning an untrusted pull request; only what is named explicitly."""


def prepare(
    config: Path | str | Config | None = None,
    overrides: Overrides | None = None,
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> ScanOptions:
    """Everything a scan needs: the config (a file, a ``Config``, or discovered in ``cwd``) with
    ``overrides`` over it, then the catalog, usage, waivers, baseline, policy sources and metrics
    sources it names. ``today`` fixes the clock for expiry; ``None`` reads it at each scan."""
    overrides = overrides or Overrides()
    cwd = cwd or Path.cwd()
    environ = os.environ if environ is None else environ
    base, folder, config_path = _config(config, cwd, overrides.discover)
    settled = _settle(base, overrides.settings)
    sources = _sources(settled, folder, cwd, overrides, environ) if overrides.policies else ()
    if sources:
        _check_policy_keys(settled, sources, config_path)
    return ScanOptions(
        config=settled,
        catalog=(
            load_catalog(_at(cwd, overrides.catalog_dir)) if overrides.catalog_dir else shipped_catalog()
        ).with_fallback_region(overrides.price_fallback_region),
        sources=sources,
        usage=_usage(settled, folder, cwd, overrides),
        metrics=_metrics(settled, folder),
        suppress=_suppress(settled, folder, cwd, overrides, today),
        tf_dir=_tf_dir(cwd, overrides.tf_dir),
        terraform=_terraform(settled, folder, cwd, overrides, environ),
        input_format=overrides.input_format,
        skip_unrecognized=overrides.skip_unrecognized,
        changed_only=overrides.changed_only,
        max_input_bytes=settled.max_input_bytes,
        jobs=overrides.jobs,
    )


def _terraform(
    config: Config, folder: Path, cwd: Path, overrides: Overrides, environ: Mapping[str, str]
) -> TerraformInputs:
    """What Terraform would read besides the files: ``TF_VAR_*``, variable files, ``--var``,
    the workspace (``--workspace``, else ``TF_WORKSPACE``, else the config's)."""
    files = [folder / f for f in config.terraform.var_files] + [_at(cwd, f) for f in overrides.var_files]
    for path in files:
        if not path.is_file():
            raise ConfigError("variable file not found", path=path)
    workspace = overrides.workspace or environ.get("TF_WORKSPACE") or config.terraform.workspace
    return TerraformInputs(
        var_files=tuple(Path(absolute(p)) for p in files),
        variables=dict(overrides.variables),
        environment=TerraformInputs.from_environ(environ),
        workspace=workspace,
        roots=tuple(Path(absolute(folder / r)) for r in config.terraform.roots),
    )


def _at(cwd: Path, path: Path) -> Path:
    return path if path.is_absolute() else cwd / path


def _config(given: Path | str | Config | None, cwd: Path, discover: bool = True) -> tuple[Config, Path, Path | None]:
    """The config, the folder its relative paths start from, and its file (if any)."""
    if isinstance(given, Config):
        return given, cwd, None
    if given is None and not discover:
        return Config(waivers_file=""), cwd, None
    if given is None:
        found = find_config(cwd)
        return (load_config(found), found.parent, found) if found else (Config(), cwd, None)
    path = _at(cwd, Path(given))
    if not path.is_file():
        raise ConfigError("config file not found", path=given)
    return load_config(path), path.parent, path


def _check_policy_keys(config: Config, sources: Sequence[PolicySource], path: Path | None) -> None:
    """Every key of ``policies:`` names a policy of this scan (by id or name), else an error
    with the likeliest match: a misspelt key would leave the policy on without a word."""
    if not (config.policies or config.checks or config.skip_checks):
        return
    try:
        known = {
            word
            for source in sources
            for info in source.describe(config.every_policy())
            for word in (info.id, info.name)
        }
    except (CostwardenError, OSError, ValueError):  # an unreadable policy file is the scan's error, with its line
        return
    checkov = any(source.name == "checkov" for source in sources)
    unknown = [key for key in config.policies if key not in known and not (checkov and is_checkov_id(key))]
    said = [f"policies.{key}: no such policy{did_you_mean(key, known)}" for key in unknown]
    for key, patterns in (("checks", config.checks), ("skip_checks", config.skip_checks)):
        for pattern in patterns:
            if checkov and is_checkov_id(pattern):
                continue
            if not any(fnmatch.fnmatchcase(word, pattern) for word in known):
                said.append(f"{key}: {pattern!r} names no policy{did_you_mean(pattern, known)}")
    if said:
        line = _line_of_key(path, unknown[0]) if unknown else None
        raise ConfigError("; ".join(said), path=path if unknown else None, line=line)


def _line_of_key(path: Path | None, key: str) -> int | None:
    if path is None:
        return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    pattern = re.compile(rf"""^\s*(\[.*)?["']?{re.escape(key)}["']?\s*[:=\]]""")
    return next((number for number, line in enumerate(lines, 1) if pattern.search(line)), None)


def _settle(config: Config, settings: Mapping[str, Any]) -> Config:
    if not settings:
        return config
    return validate_model(Config, _merge(config.model_dump(), settings), "command line", ConfigError)


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _usage(config: Config, folder: Path, cwd: Path, overrides: Overrides) -> UsageFile | None:
    if overrides.usage_file is not None:
        return load_usage(_at(cwd, overrides.usage_file))
    return load_usage(folder / config.usage_file) if config.usage_file else None


def _tf_dir(cwd: Path, given: Path | None) -> Path | None:
    if given is None:
        return None
    directory = _at(cwd, given)
    if not directory.is_dir():
        raise ConfigError("not a directory", path=given)
    return directory


def _suppress(config: Config, folder: Path, cwd: Path, overrides: Overrides, today: dt.date | None) -> SuppressOptions:
    if not overrides.suppress:
        return SuppressOptions(enabled=False)
    waivers: list[Waiver] = []
    problems: list[Problem] = []
    path = _at(cwd, overrides.waivers_file) if overrides.waivers_file else folder / config.waivers_file
    if overrides.waivers_file or (config.waivers_file and path.is_file()):
        waivers, problems = load_waivers(path)
    baseline = None
    if overrides.baseline_file:
        baseline = load_baseline(_at(cwd, overrides.baseline_file))
    elif config.baseline_file:
        baseline = load_baseline(folder / config.baseline_file)
    return SuppressOptions(waivers=waivers, baseline=baseline, today=today, problems=problems)


def _metrics(config: Config, folder: Path) -> list[MetricsSource]:
    settings = config.metrics
    sources: list[MetricsSource] = []
    if settings.file:
        sources.append(FileSource(folder / settings.file))
    if settings.cloudwatch_region:
        sources.append(
            CloudWatchSource(
                settings.cloudwatch_region,
                settings.window_hours,
                settings.cloudwatch_endpoint,
                settings.timeout_seconds,
            )
        )
    if settings.prometheus_url:
        sources.append(
            PrometheusSource(
                settings.prometheus_url,
                settings.window_hours,
                request_rate_query=settings.request_rate_query,
                timeout=settings.timeout_seconds,
            )
        )
    return sources


def _sources(
    config: Config, folder: Path, cwd: Path, overrides: Overrides, environ: Mapping[str, str]
) -> list[PolicySource]:
    paths = [*(_at(cwd, p) for p in overrides.policy_paths), *(folder / p for p in config.policy_paths)]
    for path in paths:
        if not path.exists():
            raise PolicyError("policy path not found", path=path)
    python = [*BUILTIN, *load_python_policies(paths), *installed_policies()]
    rego = _rego(config, folder, cwd, overrides, paths)
    if rego.builtin:  # the Rego pack stands in for its Python twins
        twins = builtin_ids()
        python = [p for p in python if p.id not in twins]
    sources: list[PolicySource] = [PythonPolicies(tuple(python))]
    if rego.active:
        sources.append(RegoPolicies(rego))
    if config.checkov.enabled:
        sources.append(CheckovPolicies(_checkov(config, folder, environ)))
    return sources


def _rego(config: Config, folder: Path, cwd: Path, overrides: Overrides, paths: Sequence[Path]) -> RegoOptions:
    rego = config.rego
    return RegoOptions(
        policies=policy_files(paths),
        builtin=rego.builtin,
        namespaces=tuple(rego.namespaces),
        all_namespaces=rego.all_namespaces,
        data=load_data([*(_at(cwd, p) for p in overrides.data_files), *(folder / p for p in rego.data)]),
        input_mode=rego.input,
        combine=rego.combine,
        engine=rego.engine,
        opa_url=rego.opa_url,
        timeout_seconds=rego.timeout_seconds,
    )


def _checkov(config: Config, folder: Path, environ: Mapping[str, str]) -> CheckovOptions:
    settings = config.checkov
    directories = [folder / d for d in settings.external_checks_dirs]
    for directory in directories:
        if not directory.is_dir():
            raise ConfigError("checks directory not found", path=directory)
    skips = tuple(settings.skip_checks)
    return CheckovOptions(
        binary=find_checkov(folder / settings.binary if settings.binary else None, environ),
        checks=tuple(settings.checks),
        skip_checks=skips,
        external_checks_dirs=tuple(directories),
        default_severity=Severity.parse(settings.severity),
        timeout_seconds=settings.timeout_seconds,
    )


def load_data(paths: Sequence[Path]) -> dict[str, Any]:
    """Data documents for Rego: files merged at the top, a folder's files under the path of their
    folder inside it, as conftest and OPA load ``--data``."""
    if not paths:
        return {}
    from costwarden.conftest.engine import ConftestError
    from costwarden.conftest.engine import load_data as load_conftest_data

    try:
        return load_conftest_data([str(path) for path in paths], Path.cwd())
    except ConftestError as exc:
        raise ConfigError(exc.message, path=exc.path, line=exc.line) from None
    except LoadError as exc:  # the same bounded readers as every input
        raise ConfigError(f"invalid data file: {exc.message}", path=exc.path, line=exc.line) from None
