import json

import pytest

from costwarden.loaders import load_document, terraform_plan
from tests.plans import change, config_resource, dumps, plan


def load(document, name="plan.json"):
    return terraform_plan.load(name, dumps(document))


def only(document):
    loaded = load(document)
    assert not loaded.errors, loaded.errors
    (resource,) = loaded.resources
    return resource


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        (["no-op"], "no-op"),
        (["create"], "create"),
        (["update"], "update"),
        (["delete"], "delete"),
        (["delete", "create"], "replace"),
        (["create", "delete"], "replace"),
        (["forget"], "forget"),
        (["create", "forget"], "replace"),
    ],
)
def test_every_action(actions, expected):
    before = {"instance_type": "t3.micro", "tags": {}}
    after = None if actions in (["delete"], ["forget"]) else {"instance_type": "t3.small", "tags": {}}
    resource = only(plan(change("aws_instance.a", after, actions=tuple(actions), before=before)))
    assert resource.action == expected


def test_deleted_resource_keeps_its_before_values():
    resource = only(plan(change("aws_instance.a", None, actions=("delete",), before={"instance_type": "p5.48xlarge"})))
    assert resource.compute.instance_type == "p5.48xlarge"
    assert not resource.exists_after


def test_unknown_action_is_a_warning_not_a_crash():
    loaded = load(plan(change("aws_instance.a", {}, actions=("teleport",))))
    assert loaded.resources == []
    assert "unknown actions ['teleport']" in loaded.warnings[0].message


@pytest.mark.parametrize(
    "address",
    [
        "aws_instance.a",
        "aws_instance.a[0]",
        'aws_instance.a["blue"]',
        'module.a["x"].aws_instance.b[0]',
        'module.a["x"].module.child[3].aws_instance.b["k.with.dots"]',
    ],
)
def test_addresses_are_kept_exactly(address):
    assert only(plan(change(address, {"instance_type": "t3.micro"}))).address == address


def test_data_sources_and_deposed_objects_are_left_out():
    data = change("data.aws_ami.ubuntu", {}, actions=("read",))
    data["mode"] = "data"
    deposed = change("aws_instance.a", None, actions=("delete",), before={}, deposed="00000001")
    kept = change("aws_instance.a", {"instance_type": "t3.micro"})
    loaded = load(plan(data, deposed, kept))
    assert [r.address for r in loaded.resources] == ["aws_instance.a"]


def test_unknown_values_are_recorded_not_guessed():
    resource = only(
        plan(
            change(
                "aws_instance.a",
                {"instance_type": None},
                after_unknown={"instance_type": True, "id": True},
            )
        )
    )
    assert resource.compute.instance_type is None
    assert {"instance_type", "id"} <= resource.unknown


@pytest.mark.parametrize("version", ["0.1", "0.2", "1.0", "1.1", "1.2", "1.9"])
def test_format_versions_read(version):
    assert only(plan(change("aws_instance.a", {}), format_version=version)).type == "aws_instance"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {"format_version": "2.0", "resource_changes": []},
            "unsupported plan format_version '2.0'",
        ),
        ({"format_version": "1.0", "values": {}}, "this is Terraform state, not a plan"),
        ({"name": "my-package", "version": "1.0.0"}, "not a Terraform plan"),
        ([1, 2, 3], "not a Terraform plan: the JSON is not an object"),
        ({"format_version": "1.2", "resource_changes": {}}, "resource_changes is not a list"),
    ],
)
def test_not_a_plan(document, message):
    loaded = load(document)
    assert loaded.resources == []
    assert message in loaded.errors[0].message
    assert loaded.errors[0].path == "plan.json"


def test_plan_without_resource_changes_is_empty_not_an_error():
    loaded = load({"format_version": "1.2", "planned_values": {}, "configuration": {}})
    assert (loaded.resources, loaded.errors) == ([], [])


def test_malformed_entry_is_an_error_and_the_rest_still_load():
    loaded = load(plan({"address": 7}, change("aws_instance.ok", {})))
    assert [r.address for r in loaded.resources] == ["aws_instance.ok"]
    assert "resource_changes[0]: malformed" in loaded.errors[0].message


def test_location_is_the_line_of_the_change():
    raw = json.dumps(plan(change("aws_instance.a", {}), change("aws_instance.b", {})), indent=2).encode()
    resources = terraform_plan.load("p.json", raw).resources
    lines = raw.decode().splitlines()
    for resource in resources:
        assert resource.location.path == "p.json"
        assert f'"address": "{resource.address}"' in lines[resource.location.line - 1]


def test_provider_names():
    document = plan(
        change("aws_instance.a", {}),
        change("google_compute_instance.b", {}, provider="registry.terraform.io/hashicorp/google-beta"),
        change(
            "azurerm_linux_virtual_machine.c",
            {},
            provider="registry.terraform.io/hashicorp/azurerm",
        ),
        change("null_resource.d", {}, provider="null.aliased"),
    )
    assert [r.provider for r in load(document).resources] == ["aws", "google", "azure", "null"]


def test_sniff_recognizes_plans_and_not_other_json():
    assert terraform_plan.sniff("p.json", dumps(plan()))
    assert terraform_plan.sniff("p.json", json.dumps(plan()).encode("utf-16"))
    assert not terraform_plan.sniff("package.json", b'{"name": "x", "version": "1.0.0"}')


def test_walked_file_in_no_known_format_is_skipped_but_explicit_one_is_an_error():
    walked = load_document("dir/package.json", b'{"name": "x"}', explicit=False)
    assert (walked.resources, walked.errors) == ([], [])
    assert [(s.path, s.reason) for s in walked.skipped] == [("dir/package.json", "not a recognized input")]
    loaded = load_document("package.json", b'{"name": "x"}')
    assert "not a Terraform plan" in loaded.errors[0].message
    loaded = load_document("notes.txt", b"hello")
    assert "not a supported input" in loaded.errors[0].message


def test_configuration_lookup_across_indexed_modules():
    document = plan(
        change('module.a["x"].module.b[0].aws_autoscaling_group.g', {"min_size": 1, "max_size": 1}),
        module_calls={
            "a": {
                "module": {
                    "module_calls": {
                        "b": {
                            "module": {
                                "resources": [
                                    config_resource(
                                        "aws_autoscaling_group.g",
                                        desired_capacity={"constant_value": 3},
                                    )
                                ]
                            }
                        }
                    }
                }
            }
        },
    )
    # desired_capacity is set in config (though unknown in after), so min_size is not assumed
    assert only(document).compute.count is None


def test_cloud_id_of_an_existing_resource_comes_from_prior_state():
    document = plan(
        change(
            'module.m.aws_instance.a["x"]',
            {"instance_type": "g5.xlarge", "id": None},
            actions=("update",),
            before={"instance_type": "g5.2xlarge"},
        )
    )
    document["prior_state"] = {
        "values": {
            "root_module": {
                "child_modules": [
                    {
                        "address": "module.m",
                        "resources": [{"address": 'module.m.aws_instance.a["x"]', "values": {"id": "i-0abc"}}],
                    }
                ]
            }
        }
    }
    assert only(document).cloud_id == "i-0abc"


def test_cloud_id_from_before_without_prior_state_and_none_for_creates():
    existing = change("aws_instance.a", {"instance_type": "t3.micro"}, actions=("no-op",), before={"id": "i-1"})
    created = change("aws_instance.b", {"instance_type": "t3.micro"})
    assert [r.cloud_id for r in load(plan(existing, created)).resources] == ["i-1", None]


def test_planned_values_fill_a_change_without_after():
    document = plan(change("aws_instance.a", None, actions=("create",)))
    document["planned_values"] = {
        "root_module": {"resources": [{"address": "aws_instance.a", "values": {"instance_type": "p5.48xlarge"}}]}
    }
    assert only(document).compute.instance_type == "p5.48xlarge"


def test_deferred_changes_are_said_not_checked():
    document = plan(change("aws_instance.a", {}))
    document["deferred_changes"] = [
        {"reason": "instance_count_unknown", "resource_change": change("aws_instance.b[*]", {})}
    ]
    loaded = load(document)
    assert [r.address for r in loaded.resources] == ["aws_instance.a"]
    assert (
        loaded.warnings[0].message == "1 resource changes deferred by Terraform (instance_count_unknown): not checked"
    )
