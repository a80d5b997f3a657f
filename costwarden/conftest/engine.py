"""Rules evaluated as conftest's engine evaluates them, on regorus.

Per file (each document of a multi-document file on its own) and namespace: every rule name
matching ``deny``/``violation``/``warn`` (``_suffix`` variants too) is queried once, however many
files and bodies define it; an ``exception`` naming the rule (``exception contains ["suffix"]``)
turns its results into one exception per match; a rule with no results counts one success per
body, as conftest counts. Undefined is no result; a value that is not a set (``deny if {...}``)
is a success, as in conftest.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from costwarden.conftest import parsers
from costwarden.conftest.results import CheckResult, CheckResults, Result
from costwarden.errors import CostwardenError, PolicyError
from costwarden.rego.backend import EmbeddedBackend, PolicyFile

FAILURE = re.compile(r"^(deny|violation)(_[a-zA-Z0-9]+)*$")
WARNING = re.compile(r"^warn(_[a-zA-Z0-9]+)*$")
DATA_EXTENSIONS = (".yaml", ".yml", ".json")


class ConftestError(CostwardenError):
    """What conftest reports as an error: exit 1, as conftest exits."""


@dataclass(frozen=True)
class RuleHead:
    package: str
    name: str
    path: str
    line: int
    kind: str
    """``Set`` (``deny contains``), ``Compr`` (``deny := ...``, ``deny if``, ``deny[x] if``), ``Func``."""
    bracketed: bool = False


@dataclass(frozen=True)
class EngineOptions:
    policies: Sequence[str] = ("policy",)
    data: Sequence[str] = ()
    rego_version: str = "auto"
    capabilities: str | None = None
    combine_parser: str | None = None


@dataclass
class Engine:
    options: EngineOptions
    cwd: Path
    backend: EmbeddedBackend = field(init=False)
    heads: list[RuleHead] = field(init=False)
    data: dict[str, Any] = field(init=False)
    _file: tuple[str, str] | None = field(init=False, default=None)
    _policy_folders: list[Path] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        files = policy_files(self.options.policies, self.cwd)
        if not files:
            shown = "[" + " ".join(self.options.policies) + "]"
            raise ConftestError(f"no policies found in {shown}")
        self._policy_folders = list(dict.fromkeys((self.cwd / f.path).parent for f in files))
        self.backend = EmbeddedBackend(rego_version=self.options.rego_version, extensions=self._builtins())
        problems = self.backend.load(files, {})
        if problems:
            raise _compile_errors(problems)
        self.heads = [head for tree in self.backend.syntax_trees() for head in rule_heads(tree)]
        _refuse_if_without_contains(self.heads)
        if self.options.capabilities:
            _check_capabilities(self.options.capabilities, self.backend.syntax_trees(), self.heads, self.cwd)
        self.data = load_data(self.options.data, self.cwd)
        self.backend.set_data(self.data)

    def _builtins(self) -> dict[str, tuple[int, Callable[..., Any]]]:
        """conftest's own builtins, which OPA does not have."""

        def parse_config(parser: str, content: str) -> Any:
            return parsers.parse("<parse_config>", content.encode("utf-8"), parser)

        def parse_config_file(path: str) -> Any:
            """conftest resolves the path from the calling policy's folder; regorus does not say
            which policy calls, so the policies' folders are tried in turn, then the working one."""
            for folder in [*self._policy_folders, self.cwd]:
                if (folder / path).is_file():
                    return parsers.parse(path, (folder / path).read_bytes())
            raise FileNotFoundError(f"{path}: not found beside any policy")

        def parse_combined_config_files(paths: list[str]) -> Any:
            documents = {path: parse_config_file(path) for path in paths}
            return combined(documents)

        return {
            "parse_config": (2, parse_config),
            "parse_config_file": (1, parse_config_file),
            "parse_combined_config_files": (1, parse_combined_config_files),
        }

    def namespaces(self) -> list[str]:
        return list(dict.fromkeys(head.package for head in self.heads))

    def _set_file(self, path: str) -> None:
        absolute = (self.cwd / path).resolve() if path not in ("-", "Combined") else self.cwd / path
        file = (absolute.name, str(absolute.parent))
        if file != self._file:
            self.backend.set_data(
                {
                    **self.data,
                    "conftest": {
                        **self.data.get("conftest", {}),
                        "file": dict(zip(("name", "dir"), file, strict=True)),
                    },
                }
            )
            self._file = file

    def check(self, path: str, config: Any, namespace: str) -> CheckResult:
        """One file's results in one namespace; a list is several documents, each checked."""
        result = CheckResult(path, namespace)
        for document in config if isinstance(config, list) else [config]:
            self._check_one(path, document, namespace, result)
        return result

    def _check_one(self, path: str, document: Any, namespace: str, into: CheckResult) -> None:
        self._set_file(path)
        text = json.dumps(document, default=str)
        package = f"data.{namespace}"
        heads = [h for h in self.heads if h.package == namespace and (FAILURE.match(h.name) or WARNING.match(h.name))]
        rule_count = len(heads)
        rules = list(dict.fromkeys(head.name for head in heads))
        failures: list[Result] = []
        warnings: list[Result] = []
        exceptions: list[Result] = []
        successes = 0
        for rule in rules:
            suffix = "" if rule in ("deny", "violation", "warn") else rule.split("_", 1)[1]
            exception_query = f"{package}.exception[_][_] == {json.dumps(suffix)}"
            excepted = [v for v in self._query(exception_query, text, package) if v is True]
            exceptions += [Result(exception_query) for _ in excepted]
            query = f"{package}.{rule}"
            for value in self._query(query, text, package):
                items = value if isinstance(value, list) else []
                if not items:
                    if not excepted:
                        successes += 1
                    continue
                for item in items:
                    found = _result(item, query)
                    if found is None or excepted:
                        continue
                    (failures if FAILURE.match(rule) else warnings).append(found)
        counted = len(failures) + len(warnings) + len(exceptions) + successes
        successes += max(0, rule_count - counted)
        into.successes += successes
        into.failures += failures
        into.warnings += warnings
        into.exceptions += exceptions
        into.prints += self.backend.take_prints()

    def _query(self, query: str, text: str, package: str) -> list[Any]:
        try:
            return self.backend.query_json(query, text, package)
        except PolicyError as exc:
            raise ConftestError(
                f"evaluating {query.split(' ')[0]}: {exc.message}", path=exc.path, line=exc.line
            ) from None

    def check_all(self, configs: Mapping[str, Any], namespaces: Iterable[str], combine: bool) -> CheckResults:
        results = CheckResults()
        for namespace in namespaces:
            if combine:
                result = CheckResult("Combined", namespace)
                self._check_one("Combined", combined(configs), namespace, result)
                results.results.append(result)
            else:
                results.results += [self.check(path, config, namespace) for path, config in configs.items()]
        return results


def _result(item: Any, query: str) -> Result | None:
    if isinstance(item, str):
        return Result(item, {"query": query})
    if isinstance(item, dict):
        if not isinstance(item.get("msg"), str):
            raise ConftestError(f'{query}: new result: "msg" field must be present and a string')
        return Result.from_object(item, query)
    return None


def combined(configs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """conftest's ``--combine`` input: ``[{"path", "contents"}]``, a document per multi-document part."""
    entries = [
        {"path": path, "contents": part}
        for path, config in configs.items()
        for part in (config if isinstance(config, list) else [config])
    ]
    return sorted(entries, key=lambda entry: str(entry["path"]))


def matching(namespaces: Sequence[str], patterns: Sequence[str]) -> list[str]:
    """Namespaces by name, or by glob (``*``, ``?``, ``[...]``; ``*`` crosses dots) when a pattern has one."""
    if not any(any(c in p for c in "*?[") for p in patterns):
        return list(patterns)
    return [ns for ns in namespaces if any(fnmatch.fnmatchcase(ns, pattern) for pattern in patterns)]


def policy_files(paths: Iterable[str], cwd: Path) -> list[PolicyFile]:
    """Every ``.rego`` file under the paths (tests too: ``verify`` runs them, ``test`` ignores
    their ``test_`` rules), named as given."""
    found: dict[str, PolicyFile] = {}
    for given in paths:
        path = cwd / given
        if not path.exists():
            raise ConftestError(f"no policies found in [{given}]: no such file or directory")
        candidates = sorted(path.rglob("*.rego")) if path.is_dir() else [path]
        for candidate in candidates:
            shown = str(Path(given) / candidate.relative_to(path)) if path.is_dir() else given
            try:
                found.setdefault(str(candidate.resolve()), PolicyFile(shown, candidate.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                raise ConftestError(f"cannot read policy: {exc}", path=shown) from None
    return list(found.values())


def load_data(paths: Iterable[str], cwd: Path) -> dict[str, Any]:
    """``--data``: JSON and YAML files, a directory's under the path of their folder inside it
    (``-d dir`` with ``dir/a/x.yaml`` puts its keys under ``data.a``), as OPA's loader does."""
    data: dict[str, Any] = {}
    for given in paths:
        path = cwd / given
        if not path.exists():
            raise ConftestError("cannot read data file: no such file or directory", path=given)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.suffix not in DATA_EXTENSIONS:
                continue
            shown = str(Path(given) / file.relative_to(path)) if path.is_dir() else given
            document = parsers.parse(shown, file.read_bytes(), "json" if file.suffix == ".json" else "yaml")
            if isinstance(document, list) and file.suffix != ".json":
                raise ConftestError("invalid data file: expected a single document in the stream", path=shown)
            if not isinstance(document, dict):
                raise ConftestError("a data file must hold an object", path=shown)
            prefix = file.parent.relative_to(path).parts if path.is_dir() else ()
            target = data
            for part in prefix:
                target = target.setdefault(part, {})
            _merge(target, document, shown)
    return data


def _merge(into: dict[str, Any], document: Mapping[str, Any], path: str) -> None:
    for key, value in document.items():
        if isinstance(into.get(key), dict) and isinstance(value, dict):
            _merge(into[key], value, path)
        elif key in into and into[key] != value:
            raise ConftestError(f"data key {key!r} is given twice with different values", path=path)
        else:
            into[key] = value


def _dotted(node: Any) -> str:
    """``a.b.c`` from regorus's Var / RefDot / RefBrack chain (brackets end the name)."""
    if not isinstance(node, dict) or not node:
        return ""
    kind, body = next(iter(node.items()))
    if kind == "Var":
        return str(body["value"])
    if kind == "RefDot":
        return f"{_dotted(body['refr'])}.{body['field'][1]}"
    if kind == "RefBrack":
        return _dotted(body["refr"])
    return ""


def rule_heads(tree: Mapping[str, Any]) -> list[RuleHead]:
    ast = tree.get("ast", {})
    package = _dotted(ast.get("package", {}).get("refr")).removeprefix("data.")
    path = str(tree.get("source", {}).get("file", ""))
    heads: list[RuleHead] = []
    for rule in ast.get("rules", []):
        kind, body = next(iter(rule.items()))
        if kind == "Default":
            heads.append(RuleHead(package, _dotted(body["refr"]), path, body["span"]["line"], "Default"))
            continue
        head_kind, head = next(iter(body["head"].items()))
        refr = head.get("refr", {})
        name = _dotted(refr)
        bracketed = "RefBrack" in refr and head_kind == "Compr" and head.get("assign") is None
        heads.append(RuleHead(package, name, path, head["span"]["line"], head_kind, bracketed))
    return heads


def _refuse_if_without_contains(heads: Iterable[RuleHead]) -> None:
    """``deny[msg] if {...}`` in Rego v1 is an object of ``true``s, never a set of messages:
    conftest refuses it (OPA issue 6509), and so do we."""
    for head in heads:
        if head.bracketed and (FAILURE.match(head.name) or WARNING.match(head.name)):
            raise ConftestError("rule is using 'if' keyword without 'contains' keyword", path=head.path, line=head.line)


def _calls(node: Any) -> Iterable[tuple[str, int]]:
    if isinstance(node, dict):
        call = node.get("Call")
        if isinstance(call, dict) and "fcn" in call:
            yield _dotted(call["fcn"]), int(call.get("span", {}).get("line", 0))
        for value in node.values():
            yield from _calls(value)
    elif isinstance(node, list):
        for value in node:
            yield from _calls(value)


def _check_capabilities(file: str, trees: Sequence[Any], heads: Sequence[RuleHead], cwd: Path) -> None:
    """``--capabilities``: a call to a builtin the file does not list is an error, as in OPA."""
    try:
        capabilities = json.loads((cwd / file).read_text(encoding="utf-8"))
        allowed = {str(b["name"]) for b in capabilities.get("builtins", [])}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConftestError(f"load capabilities: {exc}", path=file) from None
    defined = {f"{h.package}.{h.name}" for h in heads} | {h.name for h in heads}
    problems = []
    for tree in trees:
        path = str(tree.get("source", {}).get("file", ""))
        package = _dotted(tree.get("ast", {}).get("package", {}).get("refr")).removeprefix("data.")
        for name, line in _calls(tree.get("ast", {}).get("rules", [])):
            qualified = name.removeprefix("data.")
            if qualified in defined or f"{package}.{qualified}" in defined or name in allowed:
                continue
            problems.append(PolicyError(f"rego_type_error: undefined function {name}", path=path, line=line))
    if problems:
        raise _compile_errors(problems)


def _compile_errors(problems: Sequence[PolicyError]) -> ConftestError:
    first = problems[0]
    more = (
        f" (and {len(problems) - 1} more: {'; '.join(p.message for p in problems[1:4])})" if len(problems) > 1 else ""
    )
    return ConftestError(f"{first.message}{more}", path=first.path, line=first.line)


TEST_RULE = re.compile(r"^(todo_)?test_\w*$")


def verify(engine: Engine, patterns: Sequence[str]) -> CheckResults:
    """``conftest verify``: each ``test_`` rule passes when defined and not ``false``;
    ``todo_test_`` rules are skipped; ``patterns`` (globs) choose the namespaces, all by default."""
    allowed = set(matching(engine.namespaces(), patterns)) if patterns else None
    results = CheckResults()
    seen: set[tuple[str, str]] = set()
    for head in engine.heads:
        if not TEST_RULE.match(head.name) or head.kind == "Func" or (head.package, head.name) in seen:
            continue
        if allowed is not None and head.package not in allowed:
            continue
        seen.add((head.package, head.name))
        name = f"data.{head.package}.{head.name}"
        result = CheckResult(head.path, head.package)
        if head.name.startswith("todo_"):
            result.skipped.append(Result(name))
        else:
            values = engine._query(name, "{}", f"data.{head.package}")
            passed = bool(values) and values[0] is not False
            if passed:
                result.successes = 1
                result.passed.append(name)
            else:
                result.failures.append(Result(name, {"got": values[0] if values else "undefined"}))
        result.prints += engine.backend.take_prints()
        results.results.append(result)
    return results
