"""Rego engines behind one protocol: the embedded default (regorus) and an OPA server."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from costwarden.errors import PolicyError

_LOCATION = re.compile(r"-->\s*(?P<path>[^\n:]+):(?P<line>\d+):(?P<column>\d+)")


@dataclass(frozen=True)
class PolicyFile:
    path: str
    text: str


class RegoBackend(Protocol):
    """Load policies and data once, then evaluate rules against inputs."""

    def load(self, policies: Sequence[PolicyFile], data: Mapping[str, Any]) -> list[PolicyError]: ...

    def packages(self) -> list[str]: ...

    def evaluate(self, rule: str, input_document: Any) -> Any:
        """The value of ``rule`` (``data.main.deny``); ``None`` when undefined. Raises ``PolicyError``."""
        ...

    def evaluate_json(self, rule: str, input_json: str) -> Any:
        """The same, with the input already serialized (sent once for many rules)."""
        ...

    def coverage(self) -> Mapping[str, Any] | None: ...


def engine_error(exc: BaseException, fallback_path: str | None = None) -> PolicyError:
    """The engine's message as one line: file, line and column, without the Rust backtrace."""
    text = str(exc).split("Stack backtrace:")[0].strip()
    where = _LOCATION.search(text)
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("error:")]
    message = lines[0].removeprefix("error:").strip() if lines else (text.splitlines() or [type(exc).__name__])[-1]
    if where:
        column = where.group("column")
        return PolicyError(
            f"{message} (column {column})", path=where.group("path").strip(), line=int(where.group("line"))
        )
    return PolicyError(message, path=fallback_path)


class EmbeddedBackend:
    """regorus (the ``gordon-to-regorus`` wheel): Rego v1, and v0 for files without v1 syntax.

    v0 and v1 policies live in two engines (one engine reads one dialect); a rule is evaluated
    by the engine that holds its package. Engines are not shared across threads.
    """

    def __init__(
        self,
        coverage: bool = False,
        rego_version: str = "auto",
        extensions: Mapping[str, tuple[int, Callable[..., Any]]] | None = None,
    ) -> None:
        import regorus

        self._engines: dict[bool, Any] = {}
        self._make = regorus.Engine
        self._coverage = coverage
        self._version = rego_version
        self._extensions = dict(extensions or {})
        self._packages: dict[str, bool] = {}
        self._inputs: dict[bool, Any] = {}

    def _engine(self, v0: bool) -> Any:
        if v0 not in self._engines:
            engine = self._make()
            engine.set_rego_v0(v0)
            engine.set_gather_prints(True)
            for name, (arity, function) in self._extensions.items():
                engine.add_extension(name, arity, function)
            if self._coverage:
                engine.set_enable_coverage(True)
            self._engines[v0] = engine
        return self._engines[v0]

    def _is_v0(self, text: str) -> bool:
        if self._version in ("v0", "v1"):
            return self._version == "v0"
        return not re.search(r"^\s*import\s+rego\.v1\b", text, re.M) and not _uses_v1_keywords(text)

    def load(self, policies: Sequence[PolicyFile], data: Mapping[str, Any]) -> list[PolicyError]:
        import regorus

        problems: list[PolicyError] = []
        for policy in policies:
            v0 = self._is_v0(policy.text)
            probe = regorus.Engine()
            probe.set_rego_v0(v0)
            try:
                probe.add_policy(policy.path, policy.text)
            except (RuntimeError, ValueError) as exc:
                problems.append(engine_error(exc, policy.path))
                continue
            self._packages[self._engine(v0).add_policy(policy.path, policy.text)] = v0
        self.set_data(data)
        return problems

    def set_data(self, data: Mapping[str, Any]) -> None:
        """``data`` as the whole of ``data`` (what an earlier call set is gone)."""
        text = json.dumps(data, default=str) if data else None
        for engine in self._engines.values():
            engine.clear_data()
            if text is not None:
                engine.add_data_json(text)

    def packages(self) -> list[str]:
        return sorted(self._packages)

    def evaluate(self, rule: str, input_document: Any) -> Any:
        return self.evaluate_json(rule, json.dumps(input_document, default=str))

    def evaluate_json(self, rule: str, input_json: str) -> Any:
        values = self.query_json(rule, input_json, rule.rsplit(".", 1)[0])
        return values[0] if values else None

    def query_json(self, query: str, input_json: str, package: str) -> list[Any]:
        """The value of the query's expression in each result (none: undefined), in the engine
        holding ``package``."""
        if package not in self._packages:
            return []
        v0 = self._packages[package]
        engine = self._engine(v0)
        try:
            if self._inputs.get(v0) is not input_json:  # the same input for every rule: parse once
                engine.set_input_json(input_json)
                self._inputs[v0] = input_json
            answer = json.loads(engine.eval_query_as_json(query))
        except (RuntimeError, ValueError) as exc:
            raise engine_error(exc) from None
        return [result["expressions"][0]["value"] for result in answer.get("result", []) if result.get("expressions")]

    def take_prints(self) -> list[str]:
        """What ``print()`` wrote since the last call, each line ``file:line: text``."""
        return [line for engine in self._engines.values() for line in engine.take_prints()]

    def syntax_trees(self) -> list[Any]:
        """Each loaded policy's syntax tree (regorus's JSON form)."""
        return [tree for engine in self._engines.values() for tree in json.loads(engine.get_ast_as_json())]

    def coverage(self) -> Mapping[str, Any] | None:
        if not self._coverage:
            return None
        merged: dict[str, Any] = {"files": []}
        for engine in self._engines.values():
            merged["files"].extend(json.loads(engine.get_coverage_report_as_json()).get("files", []))
        return merged


def _uses_v1_keywords(text: str) -> bool:
    """Rego v1 without the import: ``contains`` and ``if`` in rule heads."""
    return bool(re.search(r"^\s*[\w.\[\]\"]+\s+contains\s+.*\bif\b", text, re.M))
