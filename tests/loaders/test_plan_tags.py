"""Effective tags: one line per case where possible."""

import pytest

from costwarden.loaders import terraform_plan
from tests.plans import aws_provider, change, config_resource, dumps, plan

DEFAULTS = {"finops:team": "ml", "finops:environment": "prod"}


def resource(*changes, **plan_args):
    loaded = terraform_plan.load("p.json", dumps(plan(*changes, **plan_args)))
    assert not loaded.errors
    return loaded.resources[0]


def test_tags_all_when_known():
    r = resource(change("aws_instance.a", {"tags": {"x": "1"}, "tags_all": {"x": "1", "finops:team": "ml"}}))
    assert (dict(r.tags), r.taggable, "tags" in r.unknown) == (
        {"x": "1", "finops:team": "ml"},
        True,
        False,
    )


def test_tags_all_unknown_merges_tags_over_constant_default_tags():
    r = resource(
        change(
            "aws_instance.a",
            {"tags": {"finops:team": "override"}},
            after_unknown={"tags_all": True},
        ),
        providers={"aws": aws_provider(default_tags=DEFAULTS)},
        root_resources=[config_resource("aws_instance.a")],
    )
    assert dict(r.tags) == {"finops:team": "override", "finops:environment": "prod"}
    assert "tags" not in r.unknown


def test_default_tags_from_a_root_variable():
    r = resource(
        change("aws_instance.a", {"tags": None}, after_unknown={"tags_all": True}),
        providers={"aws": aws_provider(default_tags={"references": ["var.tags"]})},
        root_resources=[config_resource("aws_instance.a")],
        variables={"tags": DEFAULTS},
    )
    assert dict(r.tags) == DEFAULTS


def test_default_tags_from_another_resource_are_unknown():
    r = resource(
        change("aws_instance.a", {"tags": {"x": "1"}}, after_unknown={"tags_all": True}),
        providers={"aws": aws_provider(default_tags={"references": ["data.aws_caller_identity.me.account_id"]})},
        root_resources=[config_resource("aws_instance.a")],
    )
    assert dict(r.tags) == {"x": "1"}
    assert "tags" in r.unknown


def test_aliased_provider_default_tags():
    r = resource(
        change("aws_instance.a", {"tags": None}, after_unknown={"tags_all": True}),
        providers={
            "aws": aws_provider(default_tags={"finops:team": "root"}),
            "aws.east": aws_provider(default_tags={"finops:team": "east"}, alias="east"),
        },
        root_resources=[config_resource("aws_instance.a", provider_key="aws.east")],
    )
    assert dict(r.tags) == {"finops:team": "east"}


def test_provider_passed_into_a_module():
    r = resource(
        change('module.m["x"].aws_instance.a', {"tags": None}, after_unknown={"tags_all": True}),
        providers={"aws.gpu": aws_provider(default_tags={"finops:team": "gpu"})},
        module_calls={"m": {"module": {"resources": [config_resource("aws_instance.a", provider_key="aws.gpu")]}}},
    )
    assert dict(r.tags) == {"finops:team": "gpu"}


def test_old_style_module_provider_key_falls_back_to_root_provider():
    r = resource(
        change("module.m.aws_instance.a", {"tags": None}, after_unknown={"tags_all": True}),
        providers={"aws": aws_provider(default_tags={"finops:team": "root"})},
        module_calls={"m": {"module": {"resources": [config_resource("aws_instance.a", provider_key="module.m:aws")]}}},
    )
    assert dict(r.tags) == {"finops:team": "root"}


def test_unknown_tag_value_keeps_the_key():
    r = resource(
        change(
            "aws_instance.a",
            {"tags_all": {"owner": None}},
            after_unknown={"tags_all": {"owner": True}},
        )
    )
    assert dict(r.tags) == {"owner": None}


def test_asg_tag_blocks_ignore_default_tags():
    r = resource(
        change(
            "aws_autoscaling_group.g",
            {
                "tag": [{"key": "finops:team", "value": "ml", "propagate_at_launch": True}],
                "tags": None,
            },
        ),
        providers={"aws": aws_provider(default_tags={"finops:service": "never-applied"})},
    )
    assert (dict(r.tags), r.taggable) == ({"finops:team": "ml"}, True)


def test_asg_legacy_tags_list():
    r = resource(
        change(
            "aws_autoscaling_group.g",
            {"tags": [{"key": "a", "value": "1", "propagate_at_launch": "true"}]},
        )
    )
    assert dict(r.tags) == {"a": "1"}


def test_asg_unknown_tag_blocks():
    r = resource(change("aws_autoscaling_group.g", {}, after_unknown={"tag": True}))
    assert "tags" in r.unknown


@pytest.mark.parametrize(
    ("after", "after_unknown", "tags"),
    [
        (
            {"labels": {"team": "ml"}, "terraform_labels": {"team": "ml", "env": "p"}},
            {},
            {"team": "ml", "env": "p"},
        ),
        ({"labels": {"team": "ml"}}, {"terraform_labels": True}, {"team": "ml"}),
        ({"labels": None}, {}, {}),
    ],
)
def test_google_labels(after, after_unknown, tags):
    r = resource(change("google_compute_instance.a", after, after_unknown=after_unknown))
    assert (dict(r.tags), r.taggable) == (tags, True)


def test_azure_tags():
    azurerm = "registry.terraform.io/hashicorp/azurerm"
    r = resource(change("azurerm_linux_virtual_machine.a", {"tags": {"Team": "ml"}}, provider=azurerm))
    assert (dict(r.tags), r.provider) == ({"Team": "ml"}, "azure")


@pytest.mark.parametrize(
    ("address", "after"),
    [
        ("null_resource.a", {"triggers": None}),
        ("aws_iam_role_policy_attachment.a", {"role": "r"}),
        ("google_project_iam_member.a", {"member": "m"}),
    ],
)
def test_not_taggable(address, after):
    assert not resource(change(address, after)).taggable


@pytest.mark.parametrize(
    ("address", "after", "expected"),
    [
        ("aws_launch_configuration.lc", {"instance_type": "g5.xlarge"}, (False, {})),  # no tags in its schema
        ("aws_s3_bucket.data", {"bucket": "b"}, (True, {})),  # taggable though it declares none
        ("aws_db_instance.db", {}, (True, {})),
        ("azurerm_storage_account.sa", {}, (True, {})),
        (
            "google_container_node_pool.p",
            {"node_config": [{"resource_labels": {"team": "ml"}}]},
            (True, {"team": "ml"}),
        ),
        ("google_sql_database_instance.db", {"settings": [{"user_labels": {"team": "db"}}]}, (True, {"team": "db"})),
        ("google_container_cluster.c", {"resource_labels": {"team": "k8s"}}, (True, {"team": "k8s"})),
        ("google_tpu_v2_vm.tpu", {"labels": {"team": "tpu"}}, (True, {"team": "tpu"})),  # google-beta: attribute rule
        ("google_tpu_v2_vm.tpu", {}, (False, {})),
        ("aws_iam_role_policy.p", {"policy": "{}"}, (False, {})),
    ],
)
def test_which_types_take_tags_comes_from_the_provider_schemas(address, after, expected):
    r = resource(change(address, after))
    assert (r.taggable, dict(r.tags)) == expected


def test_unknown_nested_labels_are_unknown():
    r = resource(
        change(
            "google_container_node_pool.p",
            {"node_config": [{}]},
            after_unknown={"node_config": [{"resource_labels": True}]},
        )
    )
    assert r.taggable and "tags" in r.unknown
