"""`.tf` evaluated as Terraform evaluates it: one fixture per case, exact addresses and figures."""

import json
from pathlib import Path

import pytest

from costwarden import Overrides, prepare, scan

HOURS = 730


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def costs(result):
    return {r.address: round(result.costs[r.key].monthly_cost, 2) for r in result.resources if r.key in result.costs}


def scanned(root, overrides=None, environ=None, policies=False):
    options = prepare(None, overrides or Overrides(policies=policies), cwd=root, environ=environ or {})
    return scan([str(root)], options)


AWS = 'provider "aws" {\n  region = "us-east-1"\n}\n'


def test_for_each_over_toset_of_a_variable_fills_each_key(tmp_path):
    tree(
        tmp_path,
        {
            "main.tf": AWS + 'variable "types" {\n  default = ["g5.xlarge", "g6.xlarge"]\n}\n'
            'resource "aws_instance" "by_key" {\n  for_each      = toset(var.types)\n  instance_type = each.key\n}\n'
        },
    )
    assert costs(scanned(tmp_path)) == {
        'aws_instance.by_key["g5.xlarge"]': round(1.006 * HOURS, 2),
        'aws_instance.by_key["g6.xlarge"]': round(0.8048 * HOURS, 2),
    }


def test_count_index_and_locals(tmp_path):
    tree(
        tmp_path,
        {
            "main.tf": AWS + 'locals {\n  types = ["g5.xlarge", "g6.xlarge"]\n}\n'
            'resource "aws_instance" "n" {\n  count         = 2\n  instance_type = local.types[count.index]\n}\n'
        },
    )
    assert costs(scanned(tmp_path)) == {
        "aws_instance.n[0]": round(1.006 * HOURS, 2),
        "aws_instance.n[1]": round(0.8048 * HOURS, 2),
    }


VARIABLE = (
    AWS
    + 'variable "type" {\n  default = "g5.xlarge"\n}\nresource "aws_instance" "t" {\n  instance_type = var.type\n}\n'
)


@pytest.mark.parametrize(
    ("files", "overrides", "environ", "expected"),
    [
        ({}, {}, {}, "g5.xlarge"),
        ({"terraform.tfvars": 'type = "g6.xlarge"\n'}, {}, {}, "g6.xlarge"),
        ({"terraform.tfvars.json": '{"type": "g6.xlarge"}'}, {}, {}, "g6.xlarge"),
        (
            {"terraform.tfvars": 'type = "g6.xlarge"\n', "a.auto.tfvars": 'type = "p5.48xlarge"\n'},
            {},
            {},
            "p5.48xlarge",
        ),
        ({}, {}, {"TF_VAR_type": "g6.xlarge"}, "g6.xlarge"),
        ({"terraform.tfvars": 'type = "g6.xlarge"\n'}, {}, {"TF_VAR_type": "p5.48xlarge"}, "g6.xlarge"),
        (
            {"terraform.tfvars": 'type = "g6.xlarge"\n', "x.tfvars": 'type = "p4d.24xlarge"\n'},
            {"var_files": (Path("x.tfvars"),)},
            {},
            "p4d.24xlarge",
        ),
        (
            {"x.tfvars": 'type = "p4d.24xlarge"\n'},
            {"var_files": (Path("x.tfvars"),), "variables": {"type": "g6.xlarge"}},
            {},
            "g6.xlarge",
        ),
    ],
)
def test_variables_come_as_terraform_takes_them(tmp_path, files, overrides, environ, expected):
    tree(tmp_path, {"main.tf": VARIABLE, **files})
    result = scanned(tmp_path, Overrides(policies=False, **overrides), environ)
    assert [r.compute.instance_type for r in result.resources] == [expected]


def test_the_workspace(tmp_path):
    tree(
        tmp_path,
        {
            "main.tf": AWS + 'resource "aws_instance" "w" {\n'
            '  instance_type = terraform.workspace == "prod" ? "p5.48xlarge" : "g5.xlarge"\n}\n'
        },
    )
    types = {
        name: [r.compute.instance_type for r in scanned(tmp_path, Overrides(policies=False, workspace=name)).resources]
        for name in ("default", "prod")
    }
    assert types == {"default": ["g5.xlarge"], "prod": ["p5.48xlarge"]}


def test_modules_terraform_init_downloaded_are_read_offline(tmp_path):
    tree(tmp_path, {
        "main.tf": AWS + 'module "gpu" {\n  source  = "acme/gpu/aws"\n  version = "1.0.0"\n  type = "g6.xlarge"\n}\n',
        ".terraform/modules/gpu/main.tf": 'variable "type" {}\nresource "aws_instance" "w" {\n  instance_type = var.type\n}\n',
        ".terraform/modules/modules.json": json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "gpu", "Source": "registry.terraform.io/acme/gpu/aws", "Version": "1.0.0", "Dir": ".terraform/modules/gpu"},
        ]}),
    })  # fmt: skip
    result = scanned(tmp_path)
    assert costs(result) == {"module.gpu.aws_instance.w": round(0.8048 * HOURS, 2)}
    assert result.not_evaluated == ()


def test_a_for_each_over_an_unknown_value_is_not_evaluated_never_dropped(tmp_path):
    tree(
        tmp_path,
        {
            "main.tf": AWS + 'variable "types" {}\n'
            'resource "aws_instance" "each" {\n  for_each      = var.types\n  instance_type = each.value\n}\n'
        },
    )
    result = scanned(tmp_path)
    (entry,) = result.not_evaluated
    assert (entry.kind, entry.name, entry.location.line) == ("resource", "aws_instance.each", 5)
    assert "for_each is not known" in entry.reason


GOOGLE = 'provider "google" {\n  project = "p"\n  region  = "us-central1"\n}\n'
POOL = (
    'resource "google_container_node_pool" "gpu" {{\n  cluster    = google_container_cluster.c.{attribute}\n'
    '  node_count = 2\n  node_config {{\n    machine_type = "a2-highgpu-1g"\n  }}\n}}\n'
)
A2 = 3.673385 * HOURS


@pytest.mark.parametrize(
    ("cluster", "attribute", "zones"),
    [
        ('location = "us-central1-a"', "name", 1),  # a zonal cluster runs its pools in its one zone
        ('location = "us-central1"', "id", 3),  # a regional one in the region's default three, said so
        ('location = "us-central1"\n  node_locations = ["us-central1-a", "us-central1-b"]', "name", 2),
    ],
)
def test_a_gke_pool_runs_in_its_clusters_zones(tmp_path, cluster, attribute, zones):
    tree(tmp_path, {"main.tf": GOOGLE + f'resource "google_container_cluster" "c" {{\n  name = "c"\n  {cluster}\n}}\n'
                    + POOL.format(attribute=attribute)})  # fmt: skip
    result = scanned(tmp_path)
    assert costs(result)["google_container_node_pool.gpu"] == round(2 * zones * A2, 2)


def test_azure_sizes_are_matched_without_case(tmp_path):
    tree(tmp_path, {"main.tf": 'provider "azurerm" {\n  features {}\n}\nresource "azurerm_linux_virtual_machine" "vm" {\n'
                    '  name     = "v"\n  location = "eastus"\n  size     = "standard_nc6s_v3"\n}\n'})  # fmt: skip
    (vm,) = scanned(tmp_path).resources
    assert (vm.compute.gpu.model, vm.compute.gpu.count) == ("V100", 1.0)


def test_a_fleet_of_several_types_states_the_range_and_which_it_prices(tmp_path):
    tree(tmp_path, {"main.tf": AWS + 'resource "aws_eks_node_group" "multi" {\n'
                    '  instance_types = ["g5.xlarge", "g6e.12xlarge", "g6.xlarge"]\n'
                    '  scaling_config {\n    desired_size = 2\n    min_size     = 1\n    max_size     = 3\n  }\n}\n'})  # fmt: skip
    result = scanned(tmp_path)
    (pool,) = result.resources
    cost = result.costs[pool.key]
    assert cost.monthly_cost == pytest.approx(2 * 1.006 * HOURS)
    assert "priced as g5.xlarge, the first listed: EKS launches On-Demand capacity in the listed order" in cost.basis
    assert "across its 3 instance types $1,175.01/month (g6.xlarge) to $15,319.25/month (g6e.12xlarge)" in cost.basis


DYNAMIC_TAGS = (
    'resource "aws_autoscaling_group" "g" {{\n  min_size = 0\n  max_size = 1\n{before}'
    '  dynamic "tag" {{\n    for_each = {{ "finops:team" = "ml", "finops:service" = "s" }}\n'
    "    content {{\n      key                 = tag.key\n      value               = tag.value\n"
    "      propagate_at_launch = true\n    }}\n  }}\n{after}}}\n"
)
STATIC_TAG = '  tag {\n    key                 = "finops:cost-center"\n    value               = "CC-1"\n    propagate_at_launch = true\n  }\n'


@pytest.mark.parametrize(
    ("before", "after", "tags", "complete"),
    [
        ("", "", {"finops:team": "ml", "finops:service": "s"}, True),
        (STATIC_TAG, "", {"finops:cost-center": "CC-1", "finops:team": "ml", "finops:service": "s"}, True),
        ("", STATIC_TAG, None, False),  # tfparse 0.6 drops an expansion here: unknown, never wrong
    ],
)
def test_dynamic_tag_blocks_expand(tmp_path, before, after, tags, complete):
    tree(tmp_path, {"main.tf": AWS + DYNAMIC_TAGS.format(before=before, after=after)})
    (group,) = scanned(tmp_path).resources
    assert ("tags" not in group.unknown) is complete
    if tags is not None:
        assert dict(group.tags) == tags


KARPENTER = """resource "kubectl_manifest" "np" {
  yaml_body = <<-YAML
    apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata:
      name: gpu
    spec:
      template:
        spec:
          requirements:
            - key: node.kubernetes.io/instance-type
              operator: In
              values: ["p5.48xlarge"]
  YAML
}
resource "kubernetes_manifest" "pod" {
  manifest = {
    apiVersion = "v1"
    kind       = "Pod"
    metadata   = { name = "train", namespace = "ml" }
    spec = {
      nodeSelector = { "node.kubernetes.io/instance-type" = "g5.xlarge" }
      containers   = [{ name = "t", image = "x", resources = { limits = { "nvidia.com/gpu" = 1 } } }]
    }
  }
}
resource "kubectl_manifest" "encoded" {
  yaml_body = yamlencode({ apiVersion = "v1", kind = "Pod", metadata = { name = "enc" },
    spec = { containers = [{ name = "c", image = "x", resources = { limits = { "nvidia.com/gpu" = 2 } } }] } })
}
"""


def test_kubernetes_manifests_inside_terraform_are_read_at_their_tf_line(tmp_path):
    tree(tmp_path, {"main.tf": AWS + KARPENTER})
    result = scanned(tmp_path)
    found = {
        r.address: (r.location.line, r.compute.gpu.count if r.compute and r.compute.gpu else None)
        for r in result.resources
        if "/" in r.address
    }
    assert found == {"NodePool/default/gpu": (4, None), "Pod/ml/train": (19, 1.0), "Pod/default/enc": (30, 2.0)}
    assert costs(result)["Pod/ml/train"] == round(1.006 * HOURS, 2)


@pytest.mark.parametrize(
    ("block", "flagged"),
    [
        ('resource "aws_launch_configuration" "lc" {\n  instance_type = "g5.xlarge"\n  image_id = "ami-1"\n}\n', False),
        ('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n', True),
        ('resource "aws_db_instance" "db" {\n  instance_class = "db.r6g.large"\n}\n', True),
        ('resource "aws_ebs_volume" "v" {\n  size = 100\n}\n', True),
    ],
)
def test_which_types_need_tags_is_the_same_as_in_plans(tmp_path, block, flagged):
    tree(tmp_path, {"main.tf": AWS + block})
    result = scanned(tmp_path, Overrides())
    assert any(v.policy_id == "CW101" for v in result.violations) is flagged
