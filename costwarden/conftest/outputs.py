"""conftest's output formats, each a function writing ``CheckResults`` to a stream.

The lines are conftest's (``FAIL - file - namespace - message``, the summary line, TAP, the
table, JUnit, GitHub workflow commands, SARIF 2.1.0); every value is escaped for where it lands.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from xml.sax.saxutils import quoteattr

from costwarden import escape
from costwarden._version import __version__
from costwarden.conftest.results import CheckResult, CheckResults, Result
from costwarden.reports.github import escape_data, escape_property


@dataclass(frozen=True)
class OutputOptions:
    color: bool = False
    suppress_exceptions: bool = False
    show_skipped: bool = False
    trace: bool = False
    junit_hide_message: bool = False
    github_hide_passed: bool = False


_COLORS = {"FAIL": "31", "WARN": "33", "EXCP": "36", "PRNT": "34", "ok": "32"}


def _paint(text: str, code: str, options: OutputOptions) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if options.color else text


def _where(result: CheckResult) -> tuple[str, str]:
    indicator = "-" if result.filename == "-" else f"- {escape.terminal(result.filename)}"
    namespace = "-" if result.namespace == "-" else f"- {escape.terminal(result.namespace)} -"
    return indicator, namespace


def standard(results: CheckResults, stream: TextIO, options: OutputOptions) -> None:
    for result in results.results:
        for line in result.prints:
            stream.write(f"{_paint('PRNT', _COLORS['PRNT'], options)}   {escape.terminal(line)}\n")
    if options.trace:
        for result in results.results:
            stream.write(f"file: {escape.terminal(result.filename)} | namespace: {escape.terminal(result.namespace)}\n")
            for kind, found in (("failures", result.failures), ("warnings", result.warnings)):
                for item in found:
                    query = escape.terminal(item.metadata.get("query", ""))
                    stream.write(f"TRAC   {query} -> {kind[:-1]}: {escape.terminal(item.msg)}\n")
            stream.write(f"TRAC   {result.successes} passed\n")
    for result in results.results:
        indicator, namespace = _where(result)
        groups: list[tuple[str, list[Result]]] = [("WARN", result.warnings), ("FAIL", result.failures)]
        if not options.suppress_exceptions:
            groups.append(("EXCP", result.exceptions))
        for label, found in groups:
            for item in found:
                mark = _paint(label, _COLORS[label], options)
                stream.write(f"{mark} {indicator} {namespace} {escape.terminal(item.msg)}\n")
    summary = results.summary(skipped=options.show_skipped)
    code = "31" if results.count("failures") else "33" if results.count("warnings") else "32"
    code = "36" if code == "32" and results.count("exceptions") else code
    stream.write(f"\n{_paint(summary, code, options)}\n")


def as_json(results: CheckResults, stream: TextIO, options: OutputOptions) -> None:
    stream.write(json.dumps([result.document() for result in results.results], indent="\t", default=str) + "\n")


def tap(results: CheckResults, stream: TextIO, options: OutputOptions) -> None:
    for result in results.results:
        if not result.tests:
            continue
        indicator, namespace = _where(result)
        stream.write(f"1..{result.tests}\n")
        counter = 1
        sections: list[tuple[str, str, list[str]]] = [
            ("", "not ok", [r.msg for r in result.failures]),
            ("# warnings", "not ok", [r.msg for r in result.warnings]),
            ("# exceptions", "ok", [r.msg for r in result.exceptions]),
            ("# skip", "ok", [r.msg for r in result.skipped]),
            ("# successes", "ok", ["SUCCESS"] * result.successes),
        ]
        for header, mark, messages in sections:
            if messages and header:
                stream.write(header + "\n")
            for message in messages:
                stream.write(f"{mark} {counter} {indicator} {namespace} {escape.terminal(message)}\n")
                counter += 1


def table(results: CheckResults, stream: TextIO, options: OutputOptions) -> None:
    rows: list[tuple[str, str, str, str]] = []
    for result in results.results:
        rows += [("success", result.filename, result.namespace, "SUCCESS")] * result.successes
        rows += [("exception", result.filename, result.namespace, r.msg) for r in result.exceptions]
        rows += [("warning", result.filename, result.namespace, r.msg) for r in result.warnings]
        rows += [("skipped", result.filename, result.namespace, r.msg) for r in result.skipped]
        rows += [("failure", result.filename, result.namespace, r.msg) for r in result.failures]
    if not rows:
        return
    header = ("RESULT", "FILE", "NAMESPACE", "MESSAGE")
    shown = [tuple(escape.terminal(cell) for cell in row) for row in rows]
    widths = [max(len(row[i]) for row in [header, *shown]) for i in range(4)]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |\n"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|\n"
    stream.write(line(header) + rule + "".join(line(row) for row in shown))


def junit(results: CheckResults, stream: TextIO, options: OutputOptions) -> None:
    suites: dict[str, list[tuple[str, str | None, bool]]] = {}
    for result in results.results:
        tests = suites.setdefault(result.namespace, [])

        def name(message: str, filename: str = result.filename) -> str:
            if options.junit_hide_message or not message:
                return filename
            return f"{filename} - {message}"

        tests += [(name(r.msg), r.msg, False) for r in [*result.warnings, *result.failures]]
        tests += [(name(r.msg), r.msg, True) for r in result.skipped]
        tests += [(name(""), None, False)] * result.successes
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n')
    for namespace, tests in suites.items():
        failures = sum(1 for _, message, skipped in tests if message is not None and not skipped)
        skipped_count = sum(1 for *_, skipped in tests if skipped)
        suite = quoteattr(escape.xml(f"conftest.{namespace}"))
        stream.write(
            f'\t<testsuite tests="{len(tests)}" failures="{failures}" time="0.000" name={suite} '
            f'skipped="{skipped_count}">\n'
        )
        for test_name, message, skipped in tests:
            attrs = f'classname={suite} name={quoteattr(escape.xml(test_name))} time="0.000"'
            if message is None:
                stream.write(f"\t\t<testcase {attrs}></testcase>\n")
            elif skipped:
                stream.write(f"\t\t<testcase {attrs}>\n\t\t\t<skipped message={quoteattr(escape.xml(message))}>")
                stream.write("</skipped>\n\t\t</testcase>\n")
            else:
                body = escape.xml(message).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                stream.write(f'\t\t<testcase {attrs}>\n\t\t\t<failure message="Failed" type="">{body}</failure>\n')
                stream.write("\t\t</testcase>\n")
        stream.write("\t</testsuite>\n")
    stream.write("</testsuites>\n")


def github(results: CheckResults, stream: TextIO, options: OutputOptions) -> None:
    def command(level: str, result: CheckResult, item: Result | None, message: str) -> None:
        file, line = result.filename, "1"
        if item is not None and item.location is not None:
            file, line = item.location[0] or file, str(item.location[1] or 1)
        stream.write(f"::{level} file={escape_property(file)},line={escape_property(line)}::{escape_data(message)}\n")

    for result in results.results:
        if options.github_hide_passed and not (
            result.failures or result.warnings or result.exceptions or result.skipped
        ):
            continue
        title = escape_data(
            f"Testing {json.dumps(result.filename)} against {result.tests} policies in namespace "
            f"{json.dumps(result.namespace)}"
        )
        stream.write(f"::group::{title}\n")
        for item in result.failures:
            command("error", result, item, item.msg)
        for item in result.warnings:
            command("warning", result, item, item.msg)
        for item in result.exceptions:
            command("notice", result, item, item.msg)
        for item in result.skipped:
            command("notice", result, item, f"Test was skipped: {item.msg}")
        command("notice", result, None, f"Number of successful checks: {result.successes}")
        stream.write("::endgroup::\n")
    stream.write(escape.terminal(results.summary()) + "\n")


def sarif(results: CheckResults, stream: TextIO, options: OutputOptions) -> None:
    rules: list[dict[str, Any]] = []
    indices: dict[str, int] = {}
    found: list[dict[str, Any]] = []
    descriptions = {
        "success": "Policy was satisfied successfully",
        "skip": "Policy check was skipped",
        "allow": "Policy exception",
        "warn": "Policy warning",
        "deny": "Policy violation",
    }

    def add(item: Result, result: CheckResult, kind: str, level: str) -> None:
        rule_id = f"{result.namespace}/{kind}"
        if rule_id not in indices:
            indices[rule_id] = len(rules)
            description = descriptions[kind]
            rules.append(
                {
                    "id": rule_id,
                    "shortDescription": {"text": description},
                    "fullDescription": {"text": description},
                    "properties": {k: v for k, v in item.metadata.items() if k != "query"} or None,
                }
            )
            if rules[-1]["properties"] is None:
                del rules[-1]["properties"]
        file, region = result.filename, None
        if item.location is not None:
            file = item.location[0] or file
            line = int(item.location[1]) if str(item.location[1]).isdigit() else 1
            region = {"startLine": max(line, 1), "endLine": max(line, 1)}
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(file)}}
        if region:
            physical["region"] = region
        found.append(
            {
                "ruleId": rule_id,
                "ruleIndex": indices[rule_id],
                "level": level,
                "message": {"text": item.msg},
                "locations": [{"physicalLocation": physical}],
            }
        )

    for result in results.results:
        for item in result.failures:
            add(item, result, "deny", "error")
        for item in result.warnings:
            add(item, result, "warn", "warning")
        for item in result.exceptions:
            add(item, result, "allow", "note")
        if result.failures or result.warnings:
            continue
        if result.successes or result.exceptions:
            add(Result("Policy was satisfied successfully"), result, "success", "none")
        else:
            add(Result("Policy check was skipped"), result, "skip", "none")
    failed, warned = results.count("failures"), results.count("warnings")
    exit_text = (
        "Policy violations found" if failed else "Policy warnings found" if warned else "No policy violations found"
    )
    document = {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "costwarden conftest",
                        "version": __version__,
                        "informationUri": "https://github.com/open-policy-agent/conftest",
                        "rules": rules,
                    }
                },
                "results": found,
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "exitCode": results.exit_code(),
                        "exitCodeDescription": exit_text,
                    }
                ],
            }
        ],
    }
    stream.write(json.dumps(document, indent=2, default=str) + "\n")


def _uri(path: str) -> str:
    """SARIF URIs are relative to the checkout: an absolute path inside it is made relative, one
    outside it is a ``file://`` URI."""
    if Path(path).is_absolute():
        relative = os.path.relpath(path)
        if relative.startswith(".."):
            return "file://" + escape.uri(path.replace(os.sep, "/"))
        path = relative
    return escape.uri(path.replace(os.sep, "/"))


OUTPUTS: dict[str, Callable[[CheckResults, TextIO, OutputOptions], None]] = {
    "github": github,
    "json": as_json,
    "junit": junit,
    "sarif": sarif,
    "stdout": standard,
    "table": table,
    "tap": tap,
}


def report(results: CheckResults, stream: TextIO) -> None:
    """``verify --report``: OPA's test report (each test, the failures with what they returned,
    the tally). regorus keeps no trace, so ``notes`` and ``full`` show no trace events."""
    failed = [item for r in results.results for item in r.failures]
    if failed:
        stream.write("FAILURES\n" + "-" * 80 + "\n")
        for item in failed:
            stream.write(
                f"{escape.terminal(item.msg)}: FAIL\n  got: {escape.terminal(json.dumps(item.metadata.get('got')))}\n\n"
            )
    stream.write("SUMMARY\n" + "-" * 80 + "\n")
    for result in results.results:
        stream.write(f"{escape.terminal(result.filename)}:\n")
        for item in result.failures:
            stream.write(f"{escape.terminal(item.msg)}: FAIL\n")
        for item in result.skipped:
            stream.write(f"{escape.terminal(item.msg)}: SKIPPED\n")
        for name in result.passed:
            stream.write(f"{escape.terminal(name)}: PASS\n")
    stream.write("-" * 80 + "\n")
    total = results.tests
    if failed:
        stream.write(f"FAIL: {len(failed)}/{total}\n")
    passed = results.successes
    if passed:
        stream.write(f"PASS: {passed}/{total}\n")
