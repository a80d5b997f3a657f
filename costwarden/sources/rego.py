"""Rego policies as a source: the rules of the selected packages, on the normalized scan or on
each original document (``raw``), evaluated in a worker process with a time limit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from costwarden.config import Config
from costwarden.model import PolicyInfo
from costwarden.policies import BUILTIN
from costwarden.rego.policies import RegoFinding, RuleInfo, builtin_files, rules_of
from costwarden.rego.run import BUILTIN_PACKAGE, RegoOptions, raw_documents, rego_config, run_rego, selected
from costwarden.sources.base import Outcome, Subject


@dataclass(frozen=True)
class RegoPolicies:
    options: RegoOptions
    name: str = "rego"

    def describe(self, config: Config) -> list[PolicyInfo]:
        files = [*(builtin_files() if self.options.builtin else []), *self.options.policies]
        infos = [
            rule_info(rule) for policy in files for rule in rules_of(policy) if selected(rule.package, self.options)
        ]
        return [info for info in infos if config.enabled(info.id, info.name)]

    def evaluate(self, subject: Subject) -> Outcome:
        paths = [str(path) for path in subject.paths]
        held = [(document.name, document.data) for document in subject.documents]
        ran = run_rego(
            self.options, subject.resources, lambda: raw_documents(paths, held), rego_config(subject.context.config)
        )
        infos = {rule.policy_id: rule_info(rule) for rule in ran.rules}
        for finding in ran.findings:  # a result may name its own id, title and severity
            if finding.policy_id not in infos:
                infos[finding.policy_id] = _finding_info(finding)
        return Outcome(violations=ran.violations, errors=ran.errors, policies=list(infos.values()), read=ran.read)


def rule_info(rule: RuleInfo) -> PolicyInfo:
    """A rule's METADATA (OPA's annotations: title, description, related_resources, custom)."""
    metadata = rule.metadata
    custom: Mapping[str, Any] = metadata.get("custom") or {}
    builtin = rule.package.startswith(BUILTIN_PACKAGE)
    doc = str(metadata.get("description") or "").strip()
    if builtin and not doc:  # a twin of a built-in Python policy shares its documentation
        doc = next((p.doc for p in BUILTIN if p.id == rule.policy_id), "")
    return PolicyInfo(
        id=rule.policy_id,
        name=str(custom.get("name") or rule.rule),
        title=str(metadata.get("title") or rule.rule),
        severity=rule.default_severity,
        doc=doc,
        help_uri=_help_uri(metadata),
        source="builtin" if builtin else "rego",
    )


def _finding_info(finding: RegoFinding) -> PolicyInfo:
    base = rule_info(finding.rule)
    return PolicyInfo(
        finding.policy_id, base.name, finding.title, finding.severity, base.doc, base.help_uri, base.source
    )


def _help_uri(metadata: Mapping[str, Any]) -> str | None:
    related = metadata.get("related_resources")
    for item in related if isinstance(related, list) else []:
        ref = item.get("ref") if isinstance(item, dict) else item
        if isinstance(ref, str) and ref.startswith(("https://", "http://")):
            return ref
    return None
