import json
import textwrap
from pathlib import Path

import pytest

from costwarden import Document, Severity, scan
from costwarden.rego.backend import PolicyFile
from costwarden.rego.run import RegoOptions
from tests.plans import change, dumps, plan
from tests.scanning import builtin_and_rego, only_rego

PLAN = Document(
    "plan.json",
    dumps(
        plan(
            change("aws_instance.gpu", {"instance_type": "g5.xlarge", "tags_all": {"owner": "me"}}),
            change("aws_instance.cpu", {"instance_type": "m5.large", "tags_all": {}}),
        )
    ),
)


def rego(text, name="policy.rego", **options):
    return RegoOptions(policies=[PolicyFile(name, textwrap.dedent(text))], **options)


def violations(text, document=PLAN, **options):
    result = scan(document, only_rego(rego(text, **options)))
    return result


def test_deny_violation_warn_and_suffixes_with_metadata_and_priced_remedy():
    result = violations("""
        package main
        import rego.v1

        # METADATA
        # title: GPU without spot
        # custom:
        #   id: ORG-7
        #   severity: medium
        #   remediation: Use spot.
        violation_gpu contains {"msg": "GPU on demand", "resource": r.address, "remedy": {"changes": {"market": "spot"}, "description": "spot"}} if {
            some r in input.resources
            r.compute.gpu.count > 0
        }

        deny_untagged contains sprintf("%s has no owner", [r.address]) if {
            some r in input.resources
            not r.tags.owner
        }

        warn contains "scanned" if { true }
        """)
    assert result.errors == ()
    by_id = {(v.policy_id, v.address): v for v in result.violations}
    gpu = by_id[("ORG-7", "aws_instance.gpu")]
    assert (gpu.title, gpu.severity, gpu.remediation, gpu.location.path) == (
        "GPU without spot",
        Severity.MEDIUM,
        "Use spot.",
        "plan.json",
    )
    assert gpu.cost.monthly_savings > 0 and "After spot" in gpu.cost.basis
    untagged = by_id[("main.deny_untagged", "main.deny_untagged")]
    assert (untagged.message, untagged.severity) == ("aws_instance.cpu has no owner", Severity.HIGH)
    assert by_id[("main.warn", "main.warn")].severity is Severity.LOW


def test_exceptions_namespaces_and_data():
    text = """
        package main
        import rego.v1
        deny_tags contains "tags" if { true }
        deny_size contains "size" if { true }
        exception contains rules if { rules := ["tags"] }
        """
    assert {v.message for v in violations(text).violations} == {"size"}
    other = """
        package team.ml
        import rego.v1
        deny contains msg if { msg := data.limits.message }
        """
    assert violations(other).violations == ()
    named = violations(other, namespaces=("team.ml",), data={"limits": {"message": "from data"}})
    assert [v.message for v in named.violations] == ["from data"]
    assert [
        v.message for v in violations(other, all_namespaces=True, data={"limits": {"message": "x"}}).violations
    ] == ["x"]


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("package main\nimport rego.v1\ndeny contains msg if {\n  msg := \n}\n", "expecting", 4),
        ('package main\nimport rego.v1\ndeny contains {"text": "no msg"} if { true }\n', "a result needs a msg", 3),
        (
            'package main\nimport rego.v1\nviolation contains {"msg": "m", "remedy": {"gpus": 1}} if { true }\n',
            "unknown remedy key 'gpus'",
            3,
        ),
    ],
)
def test_bad_policies_are_errors_naming_file_and_line(text, message, line):
    result = scan(PLAN, builtin_and_rego(RegoOptions(policies=[PolicyFile("bad.rego", text)])))
    (error,) = result.errors
    assert message in error.message
    assert (error.path, error.line) == ("bad.rego", line)
    assert "\n" not in str(error)
    assert result.violations  # the built-in Python policies still ran
    assert result.exit_code() == 2


def test_a_builtin_error_fails_only_its_rule():
    text = """
        package main
        import rego.v1
        deny contains msg if {
            some r in input.resources
            msg := object.get(r.scaling, "x", "y")
        }
        warn contains "still here" if { true }
        """
    result = violations(
        text, document=Document("p.json", dumps(plan(change("aws_instance.a", {"instance_type": "m5.large"}))))
    )
    (error,) = result.errors
    assert error.message.startswith("rule data.main.deny: `object.get` expects object argument")
    assert (error.path, error.line) == ("policy.rego", 6)
    assert [v.message for v in result.violations] == ["still here"]


def test_a_rule_past_the_time_limit_is_stopped_and_named():
    text = """
        package main
        import rego.v1
        deny contains "slow" if { count([x | some x in numbers.range(1, 200000000)]) > 0 }
        warn contains "fast" if { true }
        """
    result = violations(text, timeout_seconds=0.5)
    assert any(e.message == "rule data.main.deny ran longer than 0.5 s: stopped" for e in result.errors)
    assert [v.message for v in result.violations] == ["fast"]


def test_raw_input_runs_conftest_policies_unchanged(tmp_path):
    (tmp_path / "plan.json").write_bytes(PLAN.data)
    (tmp_path / "d.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 5}\n"
    )
    policy = """
        package main

        deny[msg] {
            rc := input.resource_changes[_]
            rc.change.after.instance_type == "g5.xlarge"
            msg := sprintf("%s uses a GPU", [rc.address])
        }

        deny[msg] {
            input.kind == "Deployment"
            input.spec.replicas > 3
            msg := sprintf("%s runs %d replicas", [input.metadata.name, input.spec.replicas])
        }
        """
    result = scan([str(tmp_path)], only_rego(rego(policy, input_mode="raw")))
    found = {(Path(v.location.path).name, v.message) for v in result.violations}
    assert found == {("plan.json", "aws_instance.gpu uses a GPU"), ("d.yaml", "web runs 5 replicas")}
    combined = """
        package main
        deny[msg] { count(input) == 2; msg := "saw both" }
        """
    result = scan([str(tmp_path)], only_rego(rego(combined, input_mode="raw", combine=True)))
    assert [v.message for v in result.violations] == ["saw both"]


def test_cli_policy_directory_with_rego_and_python(tmp_path):
    import io

    from costwarden.cli import World, main

    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "gpu.rego").write_text('package main\nimport rego.v1\ndeny contains "rego ran" if { true }\n')
    (policies / "org.py").write_text(
        textwrap.dedent('''
        from costwarden.model import Severity
        from costwarden.policies import Finding, policy

        @policy(id="ORG2", name="no-m5", title="No m5", severity=Severity.LOW)
        def no_m5(resource, context):
            """No m5. Fails: m5.large. Passes: m6i.large."""
            if resource.compute and resource.compute.instance_type == "m5.large":
                yield Finding("m5 is retired here")
    ''')
    )
    (tmp_path / "plan.json").write_bytes(PLAN.data)
    out = io.StringIO()
    code = main(
        ["scan", "plan.json", "-p", "policies", "-o", "json", "--fail-on", "never"],
        World(out, io.StringIO(), io.BytesIO(), {}, tmp_path),
    )
    report = json.loads(out.getvalue())
    assert code == 0
    assert {"rego ran", "m5 is retired here"} <= {v["message"] for v in report["violations"]}


def test_broken_python_policy_is_an_error_naming_the_file(tmp_path):
    import io

    from costwarden.cli import World, main

    (tmp_path / "bad.py").write_text("def oops(:\n")
    err = io.StringIO()
    code = main(
        ["scan", str(tmp_path / "bad.py"), "-p", str(tmp_path)], World(io.StringIO(), err, io.BytesIO(), {}, tmp_path)
    )
    assert code == 2
    assert err.getvalue().startswith(f"costwarden: error: {tmp_path / 'bad.py'}:1: syntax error")


def test_entry_point_policies_are_discovered(tmp_path, monkeypatch):
    package = tmp_path / "org_policies.py"
    package.write_text(
        textwrap.dedent('''
        from costwarden.model import Severity
        from costwarden.policies import Finding, policy

        @policy(id="EP1", name="from-entry-point", title="t", severity=Severity.INFO)
        def check(resource, context):
            """From a plug-in. Fails: always. Passes: never."""
            yield Finding("plug-in ran")
    ''')
    )
    info = tmp_path / "org_policies-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: org-policies\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[costwarden.policies]\norg = org_policies:check\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    from costwarden.policies.user import installed_policies

    assert [p.id for p in installed_policies()] == ["EP1"]


def test_policy_paths_and_rego_settings_from_the_config(tmp_path):
    import io

    from costwarden.cli import World, main

    (tmp_path / "org").mkdir()
    (tmp_path / "org" / "p.rego").write_text(
        "package team.ml\nimport rego.v1\ndeny contains msg if { msg := data.org.say }\n"
    )
    (tmp_path / "data.yaml").write_text("org: {say: configured}\n")
    (tmp_path / ".costwarden.yaml").write_text(
        "policy_paths: [org]\nrego:\n  namespaces: [team.ml]\n  data: [data.yaml]\n"
    )
    (tmp_path / "plan.json").write_bytes(PLAN.data)
    out = io.StringIO()
    main(["scan", "plan.json", "-o", "json"], World(out, io.StringIO(), io.BytesIO(), {}, tmp_path))
    assert "configured" in {v["message"] for v in json.loads(out.getvalue())["violations"]}


def test_raw_input_reads_tf_and_stdin_as_conftest_does(tmp_path):
    import io

    (tmp_path / "main.tf").write_text('resource "aws_lb_listener" "web" {\n  protocol = "HTTP"\n}\n')
    policy = """
        package main
        import rego.v1

        deny contains msg if {
            some name
            some listener in input.resource.aws_lb_listener[name]
            listener.protocol == "HTTP"
            msg := sprintf("%s is plain HTTP", [name])
        }

        deny contains "a Deployment on stdin" if input.kind == "Deployment"

        deny contains "an empty rule is not a finding" if { input.never == true }
        """
    result = scan([str(tmp_path / "main.tf")], only_rego(rego(policy, input_mode="raw")))
    assert [v.message for v in result.violations] == ["web is plain HTTP"]
    stdin = io.BytesIO(b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n")
    result = scan(["-"], only_rego(rego(policy, input_mode="raw")), stdin=stdin)
    assert [v.message for v in result.violations] == ["a Deployment on stdin"]


def test_a_complete_rule_that_does_not_fire_is_no_result():
    result = violations("""
        package main
        import rego.v1

        violation := [m] if { input.nothing == 1; m := "never" }
        """)
    assert result.violations == () and result.errors == ()


def test_a_rule_in_two_files_is_evaluated_once():
    a = PolicyFile("a.rego", 'package main\nimport rego.v1\ndeny contains "one" if true\n')
    b = PolicyFile("b.rego", 'package main\nimport rego.v1\ndeny contains "two" if true\n')
    result = scan(PLAN, only_rego(RegoOptions(policies=[a, b])))
    assert sorted(v.message for v in result.violations) == ["one", "two"]


def test_raw_input_evaluates_a_file_no_loader_models(tmp_path):
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  web:\n    image: nginx:latest\n")
    policy = """
        package main
        import rego.v1

        deny contains sprintf("%s uses latest", [name]) if {
            some name, svc in input.services
            endswith(svc.image, ":latest")
        }
        """
    result = scan([str(compose)], only_rego(rego(policy, input_mode="raw")))
    assert [v.message for v in result.violations] == ["web uses latest"]
    assert result.errors == ()
    assert [w.message for w in result.warnings] == [
        "not a SageMaker definition: no FinOps resources read; evaluated as a raw Rego document"
    ]
    normalized = scan([str(compose)], only_rego(rego(policy)))
    assert normalized.errors, "without raw input, a file nothing reads is still an error"
