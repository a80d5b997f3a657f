"""``.costwarden-waivers.yaml``: exceptions with an owner, a reason and an expiry date.

::

    waivers:
      - policy: CW201                      # a policy id, or a glob such as CW2*
        resource: module.batch.aws_instance.*   # an address glob
        reason: measured during the migration; revisit after
        owner: ml-platform@example.com
        expires: 2027-03-31
        ticket: https://jira.example.com/FINOPS-12     # optional
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass
from pathlib import Path

import yaml

from costwarden.model import Problem
from costwarden.suppress.directives import DirectiveError, parse_date

DEFAULT_NAME = ".costwarden-waivers.yaml"
REQUIRED = ("policy", "resource", "reason", "owner", "expires")
KEYS = (*REQUIRED, "ticket")


@dataclass(frozen=True, slots=True)
class Waiver:
    policy: str
    resource: str
    reason: str
    owner: str
    expires: dt.date
    ticket: str
    path: str
    line: int

    def matches(self, policy_id: str, address: str) -> bool:
        return fnmatch.fnmatchcase(policy_id, self.policy) and fnmatch.fnmatchcase(address, self.resource)

    @property
    def source(self) -> str:
        return f"{self.path}:{self.line}"


def _scalar(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.ScalarNode) and node.value.strip():
        return str(node.value).strip()
    return None


def _waiver(node: yaml.Node, path: str) -> Waiver | Problem:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        return Problem("a waiver must be a mapping of policy, resource, reason, owner, expires", path, line)
    fields: dict[str, str] = {}
    for key_node, value_node in node.value:
        key = key_node.value
        where = key_node.start_mark.line + 1
        if key not in KEYS:
            return Problem(f"unknown waiver key {key!r} (one of: {', '.join(KEYS)})", path, where)
        value = _scalar(value_node)
        if value is None:
            return Problem(f"waiver key {key!r} must be a non-empty text", path, where)
        fields[key] = value
    missing = [key for key in REQUIRED if key not in fields]
    if missing:
        return Problem(f"waiver without {', '.join(missing)}", path, line)
    try:
        expires = parse_date(fields["expires"])
    except DirectiveError as exc:
        return Problem(f"waiver expires: {exc}", path, line)
    return Waiver(
        fields["policy"], fields["resource"], fields["reason"], fields["owner"], expires, fields.get("ticket", ""),
        path, line,
    )  # fmt: skip


def load_waivers(path: Path) -> tuple[list[Waiver], list[Problem]]:
    """The waivers, and a problem for each that cannot be read (the others still count)."""
    name = str(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return [], [Problem(f"cannot read waivers file: {exc.strerror}", name)]
    except UnicodeDecodeError:
        return [], [Problem("waivers file is not UTF-8 text", name)]
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        return [], [Problem(f"invalid YAML: {exc.problem}", name, line)]
    except yaml.YAMLError as exc:  # the reader's: characters YAML does not allow
        return [], [Problem(f"invalid YAML: {str(exc).splitlines()[0]}", name)]
    if root is None:
        return [], []
    entries: yaml.Node | None = None
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            if key_node.value != "waivers":
                return [], [Problem(f"unknown key {key_node.value!r} (waivers)", name, key_node.start_mark.line + 1)]
            entries = value_node
    if not isinstance(entries, yaml.SequenceNode):
        return [], [Problem("a waivers file holds `waivers:`, a list", name, root.start_mark.line + 1)]
    waivers: list[Waiver] = []
    problems: list[Problem] = []
    for node in entries.value:
        waiver = _waiver(node, name)
        (problems if isinstance(waiver, Problem) else waivers).append(waiver)  # type: ignore[arg-type]
    return waivers, problems
