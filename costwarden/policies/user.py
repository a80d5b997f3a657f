"""Policies users bring: Python files from ``--policy`` directories and from installed
packages (the ``costwarden.policies`` entry-point group). Rego files are read by ``rego``."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable, Iterator
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

from costwarden.errors import PolicyError
from costwarden.policies.base import Policy

ENTRY_POINT_GROUP = "costwarden.policies"


def python_files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        candidates = sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.suffix == ".py" else []
        found.extend(c for c in candidates if not c.name.startswith(("test_", "_")) and not c.name.endswith("_test.py"))
    return found


def load_python_policies(paths: Iterable[Path]) -> list[Policy]:
    policies: list[Policy] = []
    for path in python_files(paths):
        policies.extend(_policies_in(_import(path)))
    return policies


def _import(path: Path) -> ModuleType:
    name = f"costwarden_user_policies.{path.stem}_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PolicyError("cannot import this policy file", path=path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise PolicyError(f"syntax error: {exc.msg}", path=path, line=exc.lineno) from None
    except Exception as exc:  # the user's module failed while importing: say where and why
        raise PolicyError(f"failed to import: {type(exc).__name__}: {exc}", path=path) from None
    return module


def _policies_in(value: Any) -> Iterator[Policy]:
    if isinstance(value, Policy):
        yield value
    elif isinstance(value, ModuleType):
        yield from (item for item in vars(value).values() if isinstance(item, Policy))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _policies_in(item)


def installed_policies() -> list[Policy]:
    """Policies installed packages declare under ``[project.entry-points."costwarden.policies"]``."""
    found: list[Policy] = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            found.extend(_policies_in(entry.load()))
        except Exception as exc:  # a broken plug-in is an error naming it, never a crash
            raise PolicyError(f"entry point {entry.name} ({entry.value}) failed to load: {exc}") from None
    return found
