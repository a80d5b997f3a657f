"""conftest's result model: one ``CheckResult`` per file (or test file) and namespace; every
output format renders it, and the exit code is a method on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RESERVED = ("msg", "_loc")


@dataclass
class Result:
    msg: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    location: tuple[str, int | str] | None = None
    """``_loc`` of an object result: the file and line the policy names."""

    @classmethod
    def from_object(cls, value: dict[str, Any], query: str) -> Result:
        location = value.get("_loc")
        where = None
        if isinstance(location, dict) and (location.get("file") or location.get("line") is not None):
            where = (str(location.get("file") or ""), location.get("line") or "")
        metadata = {key: item for key, item in value.items() if key not in RESERVED}
        metadata["query"] = query
        return cls(str(value["msg"]), metadata, where)

    def document(self) -> dict[str, Any]:
        found: dict[str, Any] = {"msg": self.msg}
        if self.location is not None:
            found["loc"] = {"file": self.location[0], "line": self.location[1]}
        if self.metadata:
            found["metadata"] = self.metadata
        return found


@dataclass
class CheckResult:
    filename: str
    namespace: str
    successes: int = 0
    failures: list[Result] = field(default_factory=list)
    warnings: list[Result] = field(default_factory=list)
    exceptions: list[Result] = field(default_factory=list)
    skipped: list[Result] = field(default_factory=list)
    prints: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    """The names of the tests that passed (``verify``)."""

    @property
    def tests(self) -> int:
        return self.successes + len(self.failures) + len(self.warnings) + len(self.exceptions) + len(self.skipped)

    def document(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "filename": "" if self.filename == "-" else self.filename,
            "namespace": self.namespace,
            "successes": self.successes,
        }
        for name in ("skipped", "warnings", "failures", "exceptions"):
            results: list[Result] = getattr(self, name)
            if results:
                found[name] = [result.document() for result in results]
        return found


@dataclass
class CheckResults:
    results: list[CheckResult] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(len(getattr(result, kind)) for result in self.results)

    @property
    def successes(self) -> int:
        return sum(result.successes for result in self.results)

    @property
    def tests(self) -> int:
        return sum(result.tests for result in self.results)

    def exit_code(self, fail_on_warn: bool = False) -> int:
        """conftest's: 1 on a failure; with ``--fail-on-warn``, 2 on a failure and 1 on a warning."""
        failed, warned = self.count("failures") > 0, self.count("warnings") > 0
        if fail_on_warn:
            return 2 if failed else 1 if warned else 0
        return 1 if failed else 0

    def summary(self, skipped: bool = False) -> str:
        def plural(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        tests, failures = self.tests, self.count("failures")
        text = (
            f"{plural(tests, 'test')}, {self.successes} passed, {plural(self.count('warnings'), 'warning')}, "
            f"{plural(failures, 'failure')}, {plural(self.count('exceptions'), 'exception')}"
        )
        return text + (f", {self.count('skipped')} skipped" if skipped else "")
