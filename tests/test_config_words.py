"""Misspelt policy ids and names are never silently accepted: config errors (all at once) and
inline-ignore warnings, each with the likeliest match."""

from tests.cli_run import run_cli
from tests.plans import change, dumps, plan

UNTAGGED = plan(change("aws_instance.gpu", {"instance_type": "g5.xlarge", "tags_all": {}}))


def folder_with(tmp_path, config):
    (tmp_path / "plan.json").write_bytes(dumps(UNTAGGED))
    (tmp_path / ".costwarden.yaml").write_text(config)
    return tmp_path


def test_unknown_policy_keys_are_one_error_naming_each_with_a_suggestion(tmp_path):
    folder = folder_with(
        tmp_path, "policies:\n  CW10: {enabled: false}\n  missing-cost-alocation-tags: {enabled: false}\n"
    )
    run = run_cli(folder, "scan", "plan.json")
    assert run.code == 2
    assert run.err == (
        f"costwarden: error: {folder / '.costwarden.yaml'}:2: policies.CW10: no such policy (did you mean 'CW102' or "
        "'CW101'?); policies.missing-cost-alocation-tags: no such policy (did you mean "
        "'missing-cost-allocation-tags'?)\n"
    )


def test_every_config_error_is_listed_at_once_with_its_line(tmp_path):
    folder = folder_with(tmp_path, "fail_on: hgh\nbogus: 1\npolicies:\n  CW101: {enabled: maybe}\n")
    run = run_cli(folder, "scan", "plan.json")
    assert run.code == 2 and run.err.count("\n") == 1
    assert ".costwarden.yaml:1: fail_on: Input should be" in run.err
    assert "policies.CW101.enabled: Input should be a valid boolean" in run.err and "(line 4)" in run.err
    assert "bogus: unknown key (line 2)" in run.err


def test_known_ids_and_names_are_accepted(tmp_path):
    folder = folder_with(tmp_path, "policies:\n  CW101: {enabled: false}\n  gpu-underutilized: {enabled: false}\n")
    assert run_cli(folder, "scan", "plan.json", "-o", "json").report["violations"] == []


def test_an_inline_ignore_naming_no_policy_is_a_warning_with_a_suggestion(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_instance" "gpu" {\n  # costwarden:ignore CW10l reason="typo"\n  instance_type = "g5.xlarge"\n}\n'
    )
    run = run_cli(tmp_path, "scan", "main.tf", "-o", "json")
    assert {v["policy_id"] for v in run.report["violations"]} >= {"CW101"}
    warnings = [w["message"] for w in run.report["warnings"]]
    assert "costwarden:ignore names no policy 'CW10l' (did you mean 'CW102' or 'CW101'?)" in warnings


def test_also_required_by_type_adds_to_the_required_keys(tmp_path):
    folder = folder_with(
        tmp_path, "tags:\n  required: [finops:team]\n  also_required_by_type:\n    aws_instance: [finops:owner]\n"
    )
    (folder / "plan.json").write_bytes(
        dumps(plan(change("aws_instance.gpu", {"instance_type": "g5.xlarge", "tags_all": {"finops:team": "ml"}})))
    )
    for engine in ([], ["--builtin-rego"]):
        (violation,) = [v for v in run_cli(folder, "scan", "plan.json", "-o", "json", *engine).report["violations"]
                        if v["policy_id"] == "CW101"]  # fmt: skip
        assert "finops:owner" in violation["message"] and "finops:team" not in violation["message"].split("missing")[-1]


def test_check_and_skip_check_choose_policies_by_id_name_or_glob(tmp_path):
    folder = folder_with(tmp_path, "tags:\n  values:\n    finops:environment: {allowed: [prod]}\n")
    (folder / "plan.json").write_bytes(
        dumps(
            plan(change("aws_instance.gpu", {"instance_type": "g5.xlarge", "tags_all": {"finops:environment": "qa"}}))
        )
    )
    ids = {v["policy_id"] for v in run_cli(folder, "scan", "plan.json", "-o", "json").report["violations"]}
    assert "CW101" in ids and len(ids) > 1
    for argv, expected in [
        (["--check", "CW101"], {"CW101"}),
        (["--check", "CW1*"], {i for i in ids if i.startswith("CW1")}),
        (["--skip-check", "CW101,CW102"], ids - {"CW101", "CW102"}),
        (["--check", "missing-cost-allocation-tags"], {"CW101"}),
        (["--check", "CW1*", "--builtin-rego", "--skip-check", "CW102"], {"CW101"}),
    ]:
        run = run_cli(folder, "scan", "plan.json", "-o", "json", *argv)
        assert {v["policy_id"] for v in run.report["violations"]} == expected, argv


def test_a_check_that_names_no_policy_is_an_error(tmp_path):
    folder = folder_with(tmp_path, "{}\n")
    run = run_cli(folder, "scan", "plan.json", "--check", "CW10")
    assert run.code == 2 and "checks: 'CW10' names no policy (did you mean" in run.err


def test_disabling_a_policy_holds_for_the_rego_pack_too(tmp_path):
    folder = folder_with(tmp_path, "policies:\n  CW101: {enabled: false}\n")
    run = run_cli(folder, "scan", "plan.json", "-o", "json", "--builtin-rego")
    assert "CW101" not in {v["policy_id"] for v in run.report["violations"]}


def test_flags_are_never_abbreviations(tmp_path):
    folder = folder_with(tmp_path, "{}\n")
    run = run_cli(folder, "scan", "plan.json", "--checkov-ch", "CKV_AWS_8")
    assert run.code == 2 and "unrecognized arguments: --checkov-ch" in run.err
