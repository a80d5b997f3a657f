"""JUnit XML: a test suite per policy, a failing test case per policy x resource, carrying the
message, the location and the monthly cost; errors as their own suite."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import TextIO

from costwarden import escape
from costwarden.model import ScanResult, Violation
from costwarden.reports.describe import money_note, ordered, policy_of
from costwarden.reports.options import ReportOptions


def render(result: ScanResult, stream: TextIO, options: ReportOptions) -> None:
    """Every value through ``escape.xml``: ElementTree writes control characters raw, which
    XML 1.0 forbids (a test report no CI server could read)."""
    x = escape.xml
    suites = ET.Element("testsuites", name="costwarden", tests=str(len(result.violations) + len(result.errors)))
    by_policy: dict[str, list[Violation]] = defaultdict(list)
    for violation in ordered(result.violations):
        by_policy[violation.policy_id].append(violation)
    failures = 0
    for policy_id, violations in by_policy.items():
        suite = ET.SubElement(
            suites, "testsuite", name=x(policy_id), tests=str(len(violations)), failures=str(len(violations))
        )
        policy = policy_of(result, violations[0])
        about = f"\nPolicy: {policy.summary}" if policy.doc else ""
        about += f"\nHelp: {policy.help_uri}" if policy.help_uri else ""
        for violation in violations:
            case = ET.SubElement(suite, "testcase", classname=x(policy_id), name=x(violation.address),
                                 file=x(violation.location.path), line=str(violation.location.line))  # fmt: skip
            failure = ET.SubElement(case, "failure", message=x(violation.message), type=violation.severity.label)
            failure.text = x(
                f"{violation.title}\n{violation.location}: {violation.message}\n{money_note(violation)}"
                + (f"\nRemediation: {violation.remediation}" if violation.remediation else "")
                + (f"\nBasis: {violation.cost.basis}" if violation.cost else "")
                + about
            )
            failures += 1
    if result.errors:
        suite = ET.SubElement(
            suites, "testsuite", name="errors", tests=str(len(result.errors)), errors=str(len(result.errors))
        )
        for problem in result.errors:
            case = ET.SubElement(suite, "testcase", classname="costwarden", name=x(problem.path or "input"))
            ET.SubElement(case, "error", message=x(problem.message)).text = x(problem)
    suites.set("failures", str(failures))
    suites.set("errors", str(len(result.errors)))
    ET.indent(suites)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(suites, encoding="unicode"))
    stream.write("\n")
