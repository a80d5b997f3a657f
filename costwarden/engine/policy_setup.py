"""Which policies a scan runs: the built-ins, users' Python and Rego files (command line and
config), installed plug-ins, and how Rego is evaluated."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from costwarden.config import Config, RegoConfig
from costwarden.errors import ConfigError, PolicyError
from costwarden.policies import BUILTIN
from costwarden.policies.base import Policy
from costwarden.policies.user import installed_policies, load_python_policies
from costwarden.rego.policies import policy_files
from costwarden.rego.run import RegoOptions


def policy_paths(config: Config, config_dir: Path, given: Sequence[Path]) -> list[Path]:
    paths = [*given, *(config_dir / p for p in config.policy_paths)]
    for path in paths:
        if not path.exists():
            raise PolicyError("policy path not found", path=path)
    return paths


def load_data(paths: Sequence[Path]) -> dict[str, Any]:
    """Data documents for Rego, merged at the top level (as ``--data`` files are in conftest)."""
    merged: dict[str, Any] = {}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
            document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except OSError as exc:
            raise ConfigError(f"cannot read data file: {exc.strerror}", path=path) from None
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise ConfigError(f"invalid data file: {str(exc).splitlines()[0]}", path=path) from None
        if not isinstance(document, dict):
            raise ConfigError("a data file must hold an object", path=path)
        merged.update(document)
    return merged


def build(
    config: Config, config_dir: Path, given: Sequence[Path], data_files: Sequence[Path], overrides: Mapping[str, Any]
) -> tuple[list[Policy], RegoOptions]:
    paths = policy_paths(config, config_dir, given)
    policies = [*BUILTIN, *load_python_policies(paths), *installed_policies()]
    rego: RegoConfig = config.rego.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    data = load_data([*data_files, *(config_dir / p for p in rego.data)])
    options = RegoOptions(
        policies=policy_files(paths),
        builtin=rego.builtin,
        namespaces=tuple(rego.namespaces),
        all_namespaces=rego.all_namespaces,
        data=data,
        input_mode=rego.input,
        combine=rego.combine,
        engine=rego.engine,
        opa_url=rego.opa_url,
        timeout_seconds=rego.timeout_seconds,
    )
    return policies, options
