"""Deciding, for each violation, whether something suppresses it and saying so.

Inline ignores come first, then waivers, then the baseline. Expired ignores and waivers no
longer suppress, and a warning names the date. A waiver that matches nothing is stale.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from costwarden.model import Problem, Resource, Suppression, Violation, is_checkov_id
from costwarden.suppress.baseline import Baseline, Entry, fingerprint
from costwarden.suppress.directives import Ignore
from costwarden.suppress.inline import SourceLines, ignores_for
from costwarden.suppress.waivers import Waiver
from costwarden.validation import did_you_mean


@dataclass(frozen=True)
class SuppressOptions:
    enabled: bool = True
    """False (``--no-suppress``): every violation counts, as if nothing were waived."""
    waivers: Sequence[Waiver] = ()
    baseline: Baseline | None = None
    today: dt.date | None = None
    """The clock; ``None`` is today."""
    problems: Sequence[Problem] = ()
    """Waivers that could not be read: errors on the result, while the readable ones still count."""


@dataclass
class Suppressed:
    kept: list[Violation] = field(default_factory=list)
    suppressed: list[Violation] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)


class _Judge:
    def __init__(
        self, resources: Mapping[str, Resource], options: SuppressOptions, out: Suppressed, known: Collection[str]
    ) -> None:
        self.resources = resources
        self.options = options
        self.today = options.today or dt.date.today()
        self.out = out
        self.sources = SourceLines()
        self.ignores: dict[str, list[Ignore]] = {}
        self.said: set[str] = set()
        self.used: set[Waiver] = set()
        self.in_baseline: set[Entry] = set()
        self.known = frozenset(known)

    def warn(self, problem: Problem) -> None:
        if str(problem) not in self.said:
            self.said.add(str(problem))
            self.out.warnings.append(problem)

    def _ignores(self, key: str) -> list[Ignore]:
        if key not in self.ignores:
            resource = self.resources.get(key)
            self.ignores[key] = ignores_for(resource, self.sources, self.out.errors) if resource else []
        return self.ignores[key]

    def inline(self, violation: Violation) -> Suppression | None:
        for ignore in self._ignores(violation.resource_key):
            self._unknown_ids(ignore)
            if not ignore.covers(violation.policy_id):
                continue
            if ignore.until is not None and ignore.until < self.today:
                self.warn(Problem(f"costwarden:ignore {violation.policy_id} expired on {ignore.until}", ignore.source))
                continue
            if not ignore.reason:
                self.warn(Problem(f"costwarden:ignore {violation.policy_id} gives no reason", ignore.source))
            until = ignore.until.isoformat() if ignore.until else ""
            return Suppression("inline", ignore.reason or "(no reason given)", ignore.source, expires=until)
        return None

    def _unknown_ids(self, ignore: Ignore) -> None:
        if not self.known:
            return
        for policy_id in sorted(ignore.policy_ids - self.known):
            if is_checkov_id(policy_id) or policy_id == "all":
                continue  # Checkov's ids are known only once it has run
            self.warn(
                Problem(
                    f"costwarden:ignore names no policy {policy_id!r}{did_you_mean(policy_id, self.known)}",
                    ignore.source,
                )
            )

    def waiver(self, violation: Violation) -> Suppression | None:
        for waiver in self.options.waivers:
            if not waiver.matches(violation.policy_id, violation.address):
                continue
            self.used.add(waiver)
            if waiver.expires < self.today:
                self.warn(
                    Problem(
                        f"waiver for {violation.policy_id} {violation.address} (owner {waiver.owner}) expired on "
                        f"{waiver.expires}: the violation counts again",
                        waiver.path,
                        waiver.line,
                    )
                )
                continue
            expires = waiver.expires.isoformat()
            return Suppression("waiver", waiver.reason, waiver.source, waiver.owner, expires, waiver.ticket)
        return None

    def baseline(self, violation: Violation) -> Suppression | None:
        baseline = self.options.baseline
        if baseline is None:
            return None
        entry = Entry(
            violation.policy_id, violation.address, fingerprint(violation, self.resources.get(violation.resource_key))
        )
        if entry not in baseline.entries:
            return None
        self.in_baseline.add(entry)
        return Suppression("baseline", "in the baseline", baseline.path)


def suppress(
    violations: Sequence[Violation],
    resources: Mapping[str, Resource],
    options: SuppressOptions,
    known: Collection[str] = (),
) -> Suppressed:
    """Inline ignores, then waivers, then the baseline. ``known``: the policy ids and names of
    the scan; an inline ignore naming none of them is a warning with the likeliest match."""
    out = Suppressed()
    if not options.enabled:
        out.kept = list(violations)
        return out
    out.errors.extend(options.problems)
    judge = _Judge(resources, options, out, known)
    for violation in violations:
        found = judge.inline(violation) or judge.waiver(violation) or judge.baseline(violation)
        if found is None:
            out.kept.append(violation)
        else:
            out.suppressed.append(dataclasses.replace(violation, suppression=found))
    for waiver in options.waivers:
        if waiver not in judge.used:
            where = f"{waiver.policy} {waiver.resource}"
            out.warnings.append(Problem(f"stale waiver: {where} matches no violation", waiver.path, waiver.line))
    if options.baseline is not None:
        present = {(v.policy_id, v.address) for v in violations}
        out.fixed = sorted(e.label for e in options.baseline.entries if (e.policy_id, e.address) not in present)
    return out
