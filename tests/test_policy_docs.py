"""docs/policies.md is the built-ins' docstrings, and SARIF's helpUri lands on each one's anchor."""

from pathlib import Path

from costwarden import Document, scan
from costwarden.policies import BUILTIN
from costwarden.policies.docs import DOCS_URL, render
from costwarden.reports import ReportOptions
from costwarden.reports.sarif import document
from tests.plans import change, dumps, plan

DOCS = Path(__file__).parents[1] / "docs" / "policies.md"


def test_the_policy_page_is_generated_from_the_docstrings():
    assert DOCS.read_text() == render(BUILTIN), "rerun: python -m costwarden.policies.docs > docs/policies.md"


def test_every_builtin_has_an_anchor_and_sarif_points_at_it():
    headings = {line[3:].lower() for line in DOCS.read_text().splitlines() if line.startswith("## ")}
    assert headings == {p.id.lower() for p in BUILTIN}
    result = scan(Document("p.json", dumps(plan(change("aws_instance.a", {"instance_type": "g5.xlarge"})))))
    rules = document(result, ReportOptions())["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all(r["helpUri"] == f"{DOCS_URL}#{r['id'].lower()}" for r in rules)
