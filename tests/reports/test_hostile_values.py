"""Every renderer with hostile values in every field: the output still parses in its format and
shows every violation, and nothing in a value escapes into markup, HTML, XML, ANSI or a
GitHub workflow command."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from costwarden import escape
from costwarden.model import CatalogInfo, CostImpact, Location, Problem, ScanResult, Severity, Violation
from costwarden.reports import REPORTERS, ReportOptions
from costwarden.runtask import result as runtask

NASTY = [
    "\r<!--", "\n::error title=x::owned", "::set-output name=x::y", "%0A::warning::", "`</code>`", "``",
    "<img src=x onerror=alert(1)>", "</details>", "[link](javascript:alert(1))", "[/]", "[link=https://x]t[/link]",
    "\x1b[2J\x1b]0;title\x07", "\x00\x08\x0b\x7f\x85", "\u2028\u2029", "\u202eevil", "| a | b |", "*a* _b_ ~~c~~",
    "&amp; &lt;", "${{ secrets.TOKEN }}", "#heading", "-list", "a\\b", "é 漢字 🙂",
]  # fmt: skip
hostile = st.lists(st.sampled_from(NASTY) | st.text(max_size=12), min_size=1, max_size=4).map("".join)


def violation(address: str, message: str, title: str, path: str) -> Violation:
    return Violation(
        policy_id="CW101",
        policy_name="missing-cost-allocation-tags",
        title=title,
        severity=Severity.HIGH,
        address=address,
        resource_type="aws_instance",
        location=Location(path, 3),
        message=message,
        remediation=message,
        cost=CostImpact(100.0, 50.0, 50.0, message, "v1"),
    )


def result_with(*violations: Violation, error: str = "") -> ScanResult:
    errors = (Problem(error, "bad.json", 1),) if error else ()
    return ScanResult((), violations, {}, CatalogInfo("v1", "2026-11-01"), errors=errors)


def render(name: str, result: ScanResult) -> str:
    stream = io.StringIO()
    REPORTERS[name].render(result, stream, ReportOptions(width=100))
    return stream.getvalue()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_comment(self, data: str) -> None:
        self.tags.append("<!--")


def rendered_markdown(markdown: str) -> _Text:
    html = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(markdown)
    parser = _Text()
    parser.feed(html)
    return parser


def _visible(text: str) -> str:
    """A value as the reader sees it once rendered: one line, runs of space as one."""
    return " ".join(re.sub("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]", " ", text).split())


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(hostile, hostile, hostile, hostile)
def test_markdown_renders_every_violation_and_no_value_becomes_html(address, message, title, path):
    first, second = violation(address, message, title, path), violation("aws_instance.after", "ok", "t", "b.tf")
    page = rendered_markdown(render("markdown", result_with(first, second)))
    text = " ".join(" ".join(page.text).split())
    assert _visible(address) in text and "aws_instance.after" in text
    assert not {"img", "<!--", "a", "script"} & set(page.tags)
    assert page.tags.count("details") == page.tags.count("summary")


@FUZZ
@given(hostile, hostile, hostile, hostile)
def test_run_task_bodies_render_the_address_and_no_html(address, message, title, path):
    body = runtask.outcome(violation(address, message, title, path), Severity.HIGH, None)["attributes"]["body"]
    page = rendered_markdown(body)
    assert _visible(address) in " ".join(" ".join(page.text).split())
    assert not {"img", "<!--", "a", "script", "details"} & set(page.tags)


@FUZZ
@given(hostile, hostile, hostile, hostile)
def test_json_and_sarif_parse_and_sarif_uris_are_encoded(address, message, title, path):
    result = result_with(violation(address, message, title, path), error=message)
    report = json.loads(render("json", result))
    assert report["violations"][0]["address"] == address
    sarif = json.loads(render("sarif", result))
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert not re.search(r"[\s#?%](?![0-9A-F]{2})", uri.replace("%", "%25", 0)), uri
    assert not re.search(r"[ #?\x00-\x1f]", uri)


@FUZZ
@given(hostile, hostile, hostile, hostile)
def test_junit_is_well_formed_xml(address, message, title, path):
    document = ET.fromstring(render("junit", result_with(violation(address, message, title, path), error=message)))
    assert document.find("testsuite/testcase").get("name") == escape.xml(address)


@FUZZ
@given(hostile, hostile, hostile, hostile)
def test_text_has_no_control_characters_and_no_markup_and_does_not_crash(address, message, title, path):
    text = render("text", result_with(violation(address, message, title, path), error=message))
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]", text)
    assert "\x1b" not in text and "]8;" not in text  # no ANSI, no hyperlinks
    assert all(not line.startswith("::") for line in text.splitlines())


@FUZZ
@given(hostile, hostile, hostile, hostile)
def test_github_annotations_are_one_command_a_violation(address, message, title, path):
    lines = render("github", result_with(violation(address, message, title, path), error=message)).splitlines()
    assert len(lines) == 1 + bool(message) and all(
        line.startswith(("::error ", "::error title=costwarden::")) for line in lines
    )


def test_the_cases_the_review_found(tmp_path):
    from tests.reports.test_review_surfaces import validate

    nasty = violation("x\r<!--", "`<img src=x>`", "t</details>", "dir with space/#main.tf")
    page = rendered_markdown(render("markdown", result_with(nasty, violation("aws_instance.b", "m", "t", "b.tf"))))
    assert "aws_instance.b" in " ".join(page.text)
    text = render("text", result_with(violation("[/]", "[link=https://x]t[/link]", "t", "a.tf")))
    assert "[/]" in text and "[link=https://x]t[/link]" in text
    (tmp_path / "r.sarif").write_text(render("sarif", result_with(nasty)))
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "dir%20with%20space/%23main.tf"
    assert validate(tmp_path / "r.sarif") == []


@FUZZ
@given(hostile, hostile, hostile)
def test_the_cost_reports_escape_every_value(address, action, component):
    from costwarden.model import CostComponent
    from costwarden.reports.cost import Breakdown, Group, Row, render_json, render_markdown, render_text

    row = Row(address, "aws_instance", action, "a.tf", 1, 0.0, 10.0, "basis", "t", "s",
              (CostComponent(component, 730, "instance-hours", 10 / 730),))  # fmt: skip
    data = Breakdown(
        (row,), (Group("t", 0.0, 10.0),), (Group("s", 0.0, 10.0),), Group("total", 0.0, 10.0), (), "v", "d", ()
    )
    markdown, text, document = io.StringIO(), io.StringIO(), io.StringIO()
    render_markdown(data, markdown)
    page = rendered_markdown(markdown.getvalue())
    assert _visible(address) in " ".join(" ".join(page.text).split())
    assert not {"img", "<!--", "a", "script"} & set(page.tags)
    render_text(data, text, ReportOptions(width=100, verbose=True))
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\x1b]", text.getvalue())
    render_json(data, document)
    assert json.loads(document.getvalue())["resources"][0]["address"] == address
