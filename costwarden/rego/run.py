"""Evaluate Rego policies over a scan: the normalized scan as one input, or (``raw``) each
original document as conftest would, ``--combine`` putting every document in one input."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from costwarden.config import Config
from costwarden.errors import CostwardenError, PolicyError
from costwarden.model import Location, Problem, Resource, Violation
from costwarden.rego.backend import EmbeddedBackend, PolicyFile, RegoBackend
from costwarden.rego.normalize import scan_input
from costwarden.rego.policies import (
    RegoFinding,
    RuleInfo,
    builtin_files,
    excepted,
    exceptions,
    findings,
    rules_of,
)

BUILTIN_PACKAGE = "costwarden."


def rego_config(config: Config) -> dict[str, Any]:
    """The config as ``data.costwarden.config``, in the JSON shape of ``.costwarden.yaml``."""
    document: dict[str, Any] = config.model_dump(mode="json")
    document["inference"]["active_hours_per_month"] = round(config.inference.active_hours.hours_per_month, 1)
    tags = config.tags  # the Rego pack reads the effective list per type, as CW101 does
    typed = {*tags.required_by_type, *tags.also_required_by_type}
    document["tags"]["required_by_type"] = {t: tags.required_for(t) for t in sorted(typed)}
    return document


@dataclass(frozen=True)
class RegoOptions:
    policies: Sequence[PolicyFile] = ()
    builtin: bool = False
    """Run the built-in Rego pack in place of its Python twins (``rego.policies.builtin_ids``)."""
    namespaces: Sequence[str] = ("main",)
    all_namespaces: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)
    input_mode: Literal["normalized", "raw"] = "normalized"
    combine: bool = False
    engine: Literal["embedded", "opa"] = "embedded"
    opa_url: str | None = None
    timeout_seconds: float = 10.0

    @property
    def active(self) -> bool:
        return bool(self.policies) or self.builtin


@dataclass
class RegoOutcome:
    violations: list[Violation] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    rules: list[RuleInfo] = field(default_factory=list)
    """The rules that were evaluated."""
    findings: list[RegoFinding] = field(default_factory=list)
    read: list[str] = field(default_factory=list)
    """The inputs evaluated as raw documents."""


def make_backend(options: RegoOptions) -> RegoBackend:
    if options.engine == "opa":
        if not options.opa_url:
            raise PolicyError("--rego-engine opa needs --opa-url")
        from costwarden.rego.opa import OpaBackend

        return OpaBackend(options.opa_url, timeout=options.timeout_seconds)
    return EmbeddedBackend()


def run_rego(
    options: RegoOptions,
    resources: Sequence[Resource],
    documents: Callable[[], list[tuple[str, Any]]],
    config_data: Mapping[str, Any],
) -> RegoOutcome:
    outcome = RegoOutcome()
    files = [*(builtin_files() if options.builtin else []), *options.policies]
    data = {**options.data, "costwarden": {**dict(options.data.get("costwarden", {})), "config": config_data}}

    def start() -> _Worker:
        worker = _Worker(options)
        worker.ready()
        return worker

    backend = start()
    try:
        problems = backend.call("load", files, data)
        loaded = set(backend.call("packages"))
    except PolicyError as exc:  # no engine, or the OPA server is not there: one error, no results
        backend.close()
        outcome.errors.append(Problem(exc.message, exc.path, exc.line))
        return outcome
    outcome.errors.extend(Problem(problem.message, problem.path, problem.line) for problem in problems)
    by_query: dict[str, RuleInfo] = {}  # a rule spread over several files is one query
    for policy in files:
        for rule in rules_of(policy):
            if f"data.{rule.package}" in loaded and selected(rule.package, options):
                known = by_query.setdefault(rule.query, rule)
                if rule.metadata and not known.metadata:
                    by_query[rule.query] = rule
    rules = list(by_query.values())
    outcome.rules.extend(rules)
    by_key = {r.key: r for r in resources}
    by_address: dict[str, Resource] = {}
    for resource in resources:
        by_address.setdefault(resource.address, resource)

    if options.input_mode == "raw":
        raw = documents()
        outcome.read = sorted({path for path, _ in raw})
        inputs = [("<combined>", [{"path": path, "contents": doc} for path, doc in raw])] if options.combine else raw
    else:
        inputs = [("<scan>", scan_input(list(resources)))]
    timed_out: set[str] = set()
    for name, document in inputs:
        text = json.dumps(document, default=str)  # serialized once, parsed once by the engine
        backend.call("set_input", text)
        skipped = _exceptions(backend, {rule.package for rule in rules}, options, outcome)
        for rule in rules:
            if excepted(rule, skipped.get(rule.package, set())) or rule.query in timed_out:
                continue
            try:
                value = backend.call("evaluate_current", rule.query, timeout=options.timeout_seconds)
                found = findings(rule, value)
            except TimeoutError:
                timed_out.add(rule.query)
                backend = start()  # the old process was killed: start afresh
                backend.call("load", files, data)
                backend.call("set_input", text)
                outcome.errors.append(
                    Problem(
                        f"rule {rule.query} ran longer than {options.timeout_seconds:g} s: stopped",
                        rule.path,
                        rule.line,
                    )
                )
                continue
            except PolicyError as exc:
                outcome.errors.append(
                    Problem(f"rule {rule.query}: {exc.message}", exc.path or rule.path, exc.line or rule.line)
                )
                continue
            for finding in found:
                outcome.findings.append(finding)
                outcome.violations.append(_violation(finding, name, by_key, by_address))
    backend.close()
    return outcome


def selected(package: str, options: RegoOptions) -> bool:
    if package.startswith(BUILTIN_PACKAGE):
        return options.builtin
    return options.all_namespaces or package in options.namespaces


def _exceptions(
    backend: _Worker, packages: set[str], options: RegoOptions, outcome: RegoOutcome
) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for package in packages:
        try:
            value = backend.call("evaluate_current", f"data.{package}.exception", timeout=options.timeout_seconds)
            found[package] = exceptions(value)
        except TimeoutError:
            outcome.errors.append(
                Problem(f"exception rules of {package} ran longer than {options.timeout_seconds:g} s")
            )
        except PolicyError as exc:
            outcome.errors.append(Problem(f"exception rules of {package}: {exc.message}", exc.path, exc.line))
    return found


class _Worker:
    """A process that owns one backend and answers calls one at a time.

    regorus holds the interpreter lock while it evaluates and its engines are bound to the
    thread that made them, so a time limit needs a process: past it, the process is killed
    and a new one takes over. The input is sent once per document, not once per rule.
    """

    def __init__(self, options: RegoOptions) -> None:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        context: Any = multiprocessing.get_context(method)
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, options), daemon=True, name="costwarden rego")
        self._process.start()
        child.close()

    def call(self, method: str, *args: Any, timeout: float | None = None) -> Any:
        self._connection.send((method, args))
        return self._answer(timeout)

    def _answer(self, timeout: float | None) -> Any:
        if not self._connection.poll(timeout):
            self.kill()
            raise TimeoutError
        try:
            ok, value = self._connection.recv()
        except EOFError:
            raise PolicyError("the Rego engine process ended unexpectedly") from None
        if not ok:
            message, path, line = value
            raise PolicyError(message, path=path, line=line)
        return value

    def ready(self) -> None:
        self._answer(None)

    def kill(self) -> None:
        self._process.kill()
        self._process.join()

    def close(self) -> None:
        with contextlib.suppress(OSError):  # the process may be gone already
            self._connection.send(None)
        self._process.join(timeout=5)
        if self._process.is_alive():
            self.kill()


def _serve(connection: Any, options: RegoOptions) -> None:
    def fail(exc: BaseException) -> None:
        if isinstance(exc, CostwardenError):
            connection.send((False, (exc.message, exc.path, exc.line)))
        else:
            connection.send((False, (f"the Rego engine failed: {type(exc).__name__}: {exc}", None, None)))

    try:
        backend = make_backend(options)
    except BaseException as exc:  # no engine, a bad URL: told to the caller, which raises it
        fail(exc)
        return
    connection.send((True, None))
    current: Any = None
    while (call := connection.recv()) is not None:
        method, args = call
        try:
            if method == "set_input":
                current = args[0]
                connection.send((True, None))
            elif method == "evaluate_current":
                connection.send((True, backend.evaluate_json(args[0], current)))
            else:
                connection.send((True, getattr(backend, method)(*args)))
        except BaseException as exc:  # the engine's panics are BaseExceptions
            fail(exc)


def _violation(
    finding: RegoFinding, document: str, by_key: Mapping[str, Resource], by_address: Mapping[str, Resource]
) -> Violation:
    resource = by_key.get(finding.resource or "") or by_address.get(finding.resource or "")
    if resource is not None:
        location, address, resource_type, owner = resource.location, resource.address, resource.type, resource.document
    elif document not in ("<scan>", "<combined>"):
        location, address, resource_type, owner = Location(document, 1), finding.resource or document, "document", ""
    else:
        location = Location(finding.rule.path, finding.rule.line)
        address, resource_type, owner = finding.resource or finding.policy_id, "rego", ""
    return Violation(
        policy_id=finding.policy_id,
        policy_name=finding.rule.metadata.get("custom", {}).get("name") or finding.rule.rule,
        title=finding.title,
        severity=finding.severity,
        address=address,
        resource_type=resource_type,
        location=location,
        message=finding.message,
        remediation=finding.remediation,
        remedy=finding.remedy,
        document=owner,
    )


def raw_documents(paths: Sequence[str], documents: Sequence[tuple[str, bytes]] = ()) -> list[tuple[str, Any]]:
    """Each input's original documents, as conftest's parsers make them (YAML of any shape, JSON,
    HCL2 ``.tf``, TOML, INI, dotenv, Dockerfile; each document of a multi-document file on its
    own; an empty one ``null``), folders walked for the files some parser reads, and in-memory
    inputs (stdin) read as YAML unless their name says otherwise."""
    from costwarden.conftest import parsers

    found: list[tuple[str, Any]] = []

    def add(name: str, data: bytes) -> None:
        try:
            document = parsers.parse(name, data, None if parsers.parser_name(name) else "yaml")
        except CostwardenError:
            return  # the loaders have reported this input as broken already
        found.extend((name, part) for part in (document if isinstance(document, list) else [document]))

    for name in paths:
        path = Path(name)
        files = [path]
        if path.is_dir():  # as the loaders walk: hidden folders (.git, .terraform) are not inputs
            files = sorted(
                p for p in path.rglob("*") if not any(part.startswith(".") for part in p.relative_to(path).parts[:-1])
            )
        for file in files:
            if file.is_file() and parsers.parser_name(str(file)) in parsers.PARSERS:
                add(str(file) if path.is_dir() else name, file.read_bytes())
    for name, data in documents:
        add(name, data)
    return found


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts[:-1])
