"""Rego policies with conftest's conventions, evaluated into costwarden violations.

Rules named ``deny``, ``violation`` and ``warn`` (and ``deny_*``, ``violation_*``, ``warn_*``)
in the evaluated packages produce results: a string, or an object with ``msg`` and optionally
``resource`` (an address), ``remedy`` (priced exactly like a Python policy's), ``severity``,
``id``, ``title`` and ``remediation``. ``exception`` rules name the rules to skip (``exception
contains "tags"`` skips ``deny_tags``). A ``# METADATA`` block before a rule (title,
description, custom: id, severity, remediation, name) is that rule's metadata.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from costwarden.errors import PolicyError
from costwarden.model import Location, Remedy, Severity
from costwarden.pricing.impact import REMEDY_KEYS
from costwarden.rego.backend import PolicyFile

RULE = re.compile(r"^(?P<rule>(?:deny|violation|warn)(?:_\w+)?)\b", re.M)
PACKAGE = re.compile(r"^package\s+([\w.]+)", re.M)
BUILTIN_DIR = Path(__file__).parent / "builtin"


@dataclass(frozen=True)
class RuleInfo:
    package: str
    rule: str
    path: str
    line: int
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def query(self) -> str:
        return f"data.{self.package}.{self.rule}"

    @property
    def policy_id(self) -> str:
        return str(self.metadata.get("custom", {}).get("id") or f"{self.package}.{self.rule}")

    @property
    def default_severity(self) -> Severity:
        declared = self.metadata.get("custom", {}).get("severity")
        if isinstance(declared, str):
            try:
                return Severity.parse(declared)
            except ValueError:
                pass
        return Severity.LOW if self.rule.startswith("warn") else Severity.HIGH


@dataclass(frozen=True)
class RegoFinding:
    rule: RuleInfo
    message: str
    severity: Severity
    policy_id: str
    title: str
    resource: str | None
    remedy: Remedy | None
    remediation: str


def policy_files(paths: Iterable[Path]) -> list[PolicyFile]:
    """Every ``.rego`` file (tests excluded) under the given files and directories."""
    found: list[PolicyFile] = []
    for path in paths:
        candidates = sorted(path.rglob("*.rego")) if path.is_dir() else [path]
        for candidate in candidates:
            if candidate.name.endswith("_test.rego"):
                continue
            try:
                found.append(PolicyFile(str(candidate), candidate.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                raise PolicyError(f"cannot read policy: {exc}", path=candidate) from None
    return found


def builtin_files() -> list[PolicyFile]:
    return policy_files([BUILTIN_DIR])


@functools.cache
def builtin_ids() -> frozenset[str]:
    """The policy ids the built-in Rego pack declares in its METADATA: the Python policies it
    stands in for under ``--builtin-rego`` (a parity test keeps each pair equal)."""
    return frozenset(rule.policy_id for policy in builtin_files() for rule in rules_of(policy))


def rules_of(policy: PolicyFile) -> list[RuleInfo]:
    match = PACKAGE.search(policy.text)
    if match is None:
        return []
    package = match.group(1)
    metadata = _annotations(policy.text)
    found: dict[str, RuleInfo] = {}
    for rule in RULE.finditer(policy.text):
        name = rule.group("rule")
        line = policy.text.count("\n", 0, rule.start()) + 1
        if name not in found:
            found[name] = RuleInfo(package, name, policy.path, line, metadata.get(line, {}))
        elif metadata.get(line) and not found[name].metadata:
            found[name] = RuleInfo(package, name, policy.path, found[name].line, metadata[line])
    return list(found.values())


def _annotations(text: str) -> dict[int, dict[str, Any]]:
    """Line of the rule a ``# METADATA`` block stands above -> the block's YAML."""
    lines = text.splitlines()
    found: dict[int, dict[str, Any]] = {}
    index = 0
    while index < len(lines):
        if lines[index].strip() != "# METADATA":
            index += 1
            continue
        body = []
        index += 1
        while index < len(lines) and lines[index].lstrip().startswith("#"):
            body.append(lines[index].lstrip()[1:].removeprefix(" "))
            index += 1
        try:
            parsed = yaml.safe_load("\n".join(body))
        except yaml.YAMLError:
            parsed = None
        if isinstance(parsed, dict):
            found[index + 1] = parsed
    return found


def exceptions(value: Any) -> set[str]:
    names: set[str] = set()
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str):
            names.add(item)
        elif isinstance(item, list):
            names.update(str(v) for v in item)
    return names


def excepted(rule: RuleInfo, names: set[str]) -> bool:
    suffix = rule.rule.split("_", 1)[1] if "_" in rule.rule else ""
    return rule.rule in names or (bool(suffix) and suffix in names)


def findings(rule: RuleInfo, value: Any) -> list[RegoFinding]:
    """The rule's results as findings; a malformed result is a ``PolicyError`` naming the rule."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    found = []
    title = str(rule.metadata.get("title") or rule.rule)
    for item in items:
        if isinstance(item, str):
            found.append(RegoFinding(rule, item, rule.default_severity, rule.policy_id, title, None, None, ""))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("msg"), str):
            raise PolicyError(
                f"rule {rule.query}: a result needs a msg (got {str(item)[:60]})", path=rule.path, line=rule.line
            )
        severity = rule.default_severity
        if isinstance(item.get("severity"), str):
            try:
                severity = Severity.parse(item["severity"])
            except ValueError:
                raise PolicyError(
                    f"rule {rule.query}: unknown severity {item['severity']!r}", path=rule.path, line=rule.line
                ) from None
        found.append(
            RegoFinding(
                rule,
                item["msg"],
                severity,
                str(item.get("id") or rule.policy_id),
                str(item.get("title") or title),
                item.get("resource") if isinstance(item.get("resource"), str) else None,
                _remedy(rule, item.get("remedy")),
                str(item.get("remediation") or rule.metadata.get("custom", {}).get("remediation") or ""),
            )
        )
    return found


def _remedy(rule: RuleInfo, value: Any) -> Remedy | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise PolicyError(f"rule {rule.query}: remedy must be an object", path=rule.path, line=rule.line)
    changes = value.get("changes", value)
    description = str(value.get("description", "")) if "changes" in value else ""
    if not isinstance(changes, dict):
        raise PolicyError(f"rule {rule.query}: remedy changes must be an object", path=rule.path, line=rule.line)
    unknown = sorted(set(changes) - set(REMEDY_KEYS))
    if unknown:
        known = ", ".join(sorted(REMEDY_KEYS))
        raise PolicyError(
            f"rule {rule.query}: unknown remedy key {unknown[0]!r} (known: {known})", path=rule.path, line=rule.line
        )
    return Remedy(dict(changes), description)


def rule_location(rule: RuleInfo) -> Location:
    return Location(rule.path, rule.line)
