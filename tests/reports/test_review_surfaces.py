import io
import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from costwarden import Document, scan
from costwarden.cli import World, main
from costwarden.reports import REPORTERS, ReportOptions, markdown
from costwarden.reports.describe import ordered
from costwarden.reports.github import escape_data, escape_property
from tests.plans import change, dumps, plan
from tests.requires import unavailable

ROOT = Path(__file__).parents[2]
MULTITOOL = Path(
    os.environ.get(
        "COSTWARDEN_SARIF_MULTITOOL",
        ROOT / ".tools" / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool",
    )
)


def run(*argv, cwd=ROOT, environ=None):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), World(out, err, io.BytesIO(), environ or {}, cwd))
    return code, out.getvalue(), err.getvalue()


def many(count):
    """A plan with ``count`` untagged GPU instances: a report that has to be cut."""
    changes = [change(f"aws_instance.gpu{i}", {"instance_type": "g5.xlarge", "tags_all": {}}) for i in range(count)]
    return scan(Document("plan.json", dumps(plan(*changes))))


def validate(path: Path) -> list[dict]:
    if not MULTITOOL.exists():
        unavailable(f"SARIF Multitool not installed at {MULTITOOL} (.ci/run installs @microsoft/sarif-multitool)")
    output = path.with_suffix(".validation.sarif")
    subprocess.run([str(MULTITOOL), "validate", "--rule-kind", "Gh;Sarif", "--output", str(output), str(path)],
                   check=True, capture_output=True)  # fmt: skip
    return json.loads(output.read_text())["runs"][0].get("results", [])


def test_sarif_passes_githubs_ingestion_rules(tmp_path):
    code, _, _ = run("scan", "examples", "-o", f"sarif={tmp_path / 'r.sarif'}", "--fail-on", "never")
    assert code == 0
    assert validate(tmp_path / "r.sarif") == []
    document = json.loads((tmp_path / "r.sarif").read_text())
    result = document["runs"][0]["results"][0]
    assert not result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("/")
    assert "/month" in result["message"]["text"] and "monthlyCost" in result["properties"]
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert {"shortDescription", "fullDescription", "help", "defaultConfiguration"} <= set(rules[0])


def test_the_validator_catches_what_github_rejects(tmp_path):
    broken = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "x"}},
                "results": [
                    {
                        "ruleId": "R1",
                        "message": {"text": "m"},
                        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///abs/a.tf"}}}],
                    }
                ],
            }
        ],
    }
    (tmp_path / "broken.sarif").write_text(json.dumps(broken))
    assert validate(tmp_path / "broken.sarif")  # a negative control: this validator really checks


def test_sarif_fingerprints_are_stable_when_lines_move():
    first = json.loads(
        render(
            "sarif",
            scan(
                Document(
                    "p.json", dumps(plan(change("aws_instance.a", {"instance_type": "g5.xlarge", "tags_all": {}})))
                )
            ),
        )
    )
    moved = plan(
        change("aws_instance.z", {"instance_type": "t3.micro", "tags_all": {}}),
        change("aws_instance.a", {"instance_type": "g5.xlarge", "tags_all": {}}),
    )
    second = json.loads(render("sarif", scan(Document("p.json", dumps(moved)))))
    by_address = {r["properties"]["address"]: r["partialFingerprints"] for r in second["runs"][0]["results"]}
    assert first["runs"][0]["results"][0]["partialFingerprints"] == by_address["aws_instance.a"]


def render(name, result, **options):
    stream = io.StringIO()
    REPORTERS[name].render(result, stream, ReportOptions(**options))
    return stream.getvalue()


def test_junit_one_failing_case_per_policy_and_resource():
    root = ET.fromstring(render("junit", many(3)).split("\n", 1)[1])
    assert (root.get("tests"), root.get("failures")) == ("3", "3")
    case = root.find("testsuite/testcase")
    assert case.get("name").startswith("aws_instance.gpu") and case.get("file") == "plan.json"
    assert "/month at stake" in case.find("failure").text


def test_markdown_headline_tables_and_truncation():
    text = render("markdown", many(3))
    assert text.startswith("## costwarden: 3 violations · $2,203.14/month at stake")
    assert "<details><summary>Details</summary>" in text and "### High (3)" in text
    cut = render("markdown", many(400), max_chars=20_000)
    assert len(cut) <= 20_000
    assert "more violations are not shown here" in cut
    assert cut.startswith("## costwarden: 400 violations")  # the headline counts all of them


def test_markdown_keeps_as_many_violations_as_fit():
    result = many(120)
    violations = ordered(result.violations)
    template = markdown._template(ReportOptions())
    for limit in (3_000, 6_000, 11_111, 20_000):
        cut = render("markdown", result, max_chars=limit)
        shown = 120 - int(re.search(r"> (\d+) more violations", cut).group(1))
        assert 0 < shown < 120 and len(cut) <= limit
        assert cut == markdown._with_first(shown, template, result, violations, ReportOptions())
        assert len(markdown._with_first(shown + 1, template, result, violations, ReportOptions())) > limit


def test_github_annotations_escaping_limits_and_order():
    assert escape_data("50%\nnext") == "50%25%0Anext"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"
    lines = render("github", many(25)).splitlines()
    assert len([line for line in lines if line.startswith("::error ")]) == 10
    assert lines[-1] == "::notice title=costwarden::15 more violations not annotated (see the job summary)"
    assert "title=CW101 Resource is missing cost-allocation tags ($734.38/month at stake)" in lines[0]


def test_output_auto_picks_github_annotations_in_actions():
    _, out, _ = run("scan", "examples/terraform/gpu-fleet/plan.json", "-o", "auto", environ={"GITHUB_ACTIONS": "true"})
    assert out.startswith("::error file=examples/terraform/gpu-fleet/main.tf,line=19,")
    _, out, _ = run("scan", "examples/terraform/gpu-fleet/plan.json", "-o", "auto")
    assert out.startswith("costwarden 0.1.0")


def test_bad_outputs_are_errors_and_the_others_are_still_written(tmp_path):
    (tmp_path / "broken.j2").write_text("{% for x in %}")
    code, _, err = run(
        "scan", "examples/terraform/gpu-fleet/plan.json",
        "-o", "yaml", "-o", f"json={tmp_path / 'no' / 'such' / 'r.json'}", "-o", f"markdown={tmp_path / 'm.md'}",
        "-o", f"sarif={tmp_path / 'r.sarif'}", "--template", str(tmp_path / "broken.j2"),
    )  # fmt: skip
    assert code == 2
    lines = err.splitlines()
    assert lines[0].startswith("costwarden: error: unknown output format 'yaml'")
    assert (
        lines[1]
        == f"costwarden: error: {tmp_path / 'no' / 'such' / 'r.json'}: cannot write report: No such file or directory"
    )
    assert lines[2].startswith(f"costwarden: error: {tmp_path / 'broken.j2'}:1: template error")
    assert (tmp_path / "r.sarif").exists()


def test_diff_base_shows_only_new_violations_and_the_change(tmp_path):
    code, _, _ = run("scan", "examples/terraform/gpu-fleet/plan.json", "-o", f"json={tmp_path / 'base.json'}")
    assert code == 1
    code, out, _ = run("scan", "examples/", "--diff-base", str(tmp_path / "base.json"), "-o", "markdown")
    assert "aws_instance.trainer" not in out  # in the base already
    assert "Deployment/chat-dev/llama-8b" in out
    assert "New violations only. Monthly cost at stake since the base report: **+$" in out
    code, _, err = run("scan", "examples/", "--diff-base", str(tmp_path / "nope.json"))
    assert code == 2 and "cannot read the base report" in err


def test_sarif_with_suppressed_results_passes_githubs_ingestion_rules(tmp_path):
    (tmp_path / "main.tf").write_text(
        '# costwarden:ignore CW101 reason="shared"\n'
        'resource "aws_instance" "a" {\n  ami = "x"\n  instance_type = "g6.xlarge"\n}\n'
        'resource "aws_instance" "b" {\n  ami = "x"\n  instance_type = "g6.xlarge"\n}\n'
    )
    code, _, _ = run("scan", ".", "-o", f"sarif={tmp_path / 'r.sarif'}", cwd=tmp_path)
    assert code == 1
    assert validate(tmp_path / "r.sarif") == []
    results = json.loads((tmp_path / "r.sarif").read_text())["runs"][0]["results"]
    assert [r.get("suppressions", [{}])[0].get("kind") for r in results] == [None, "inSource"]


def test_sarif_for_a_plan_outside_the_repository_uses_absolute_file_uris(tmp_path):
    outside = tmp_path / "runner temp #1" / "plan.json"  # the usual $RUNNER_TEMP/plan.json
    outside.parent.mkdir()
    outside.write_bytes((ROOT / "examples" / "terraform" / "gpu-fleet" / "plan.json").read_bytes())
    report = tmp_path / "r.sarif"
    code, _, _ = run("scan", str(outside), "examples/sagemaker", "-o", f"sarif={report}", "--fail-on", "never")
    assert code == 0
    assert validate(report) == []
    document = json.loads(report.read_text())
    run_ = document["runs"][0]
    assert run_["originalUriBaseIds"] == {"%SRCROOT%": {"uri": ROOT.resolve().as_uri() + "/"}}
    where = {json.dumps(r["locations"][0]["physicalLocation"]["artifactLocation"]) for r in run_["results"]}
    assert where == {
        json.dumps({"uri": outside.resolve().as_uri()}),
        json.dumps({"uri": "examples/sagemaker/finetune-spot.json", "uriBaseId": "%SRCROOT%"}),
    }
    assert "runner%20temp%20%231" in outside.resolve().as_uri()
    # the negative control: the same log with the path GitHub cannot place is rejected
    for result in run_["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        if location["uri"].startswith("file:"):
            location.update(uri=str(outside), uriBaseId="%SRCROOT%")
    (tmp_path / "bad.sarif").write_text(json.dumps(document))
    assert "SARIF1004" in {r["ruleId"] for r in validate(tmp_path / "bad.sarif")}
