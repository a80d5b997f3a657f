import shutil
from pathlib import Path

import pytest

from costwarden import ScanOptions, scan
from costwarden.loaders import hcl
from costwarden.loaders.tf_inputs import TerraformInputs
from tests.scanning import NO_POLICIES

APP = Path(__file__).parents[1] / "fixtures" / "hcl" / "app"


@pytest.fixture
def app(tmp_path):
    target = tmp_path / "app"
    shutil.copytree(APP, target)
    (target / "plan.json").unlink()
    return target


def by_address(loaded):
    return {r.address: r for r in loaded.resources}


def test_directory_is_one_input_with_lines_variables_locals_and_default_tags(app):
    loaded = hcl.load_root(app, TerraformInputs())
    resources = by_address(loaded)
    serving = resources["aws_instance.serving[0]"]
    assert (serving.location.path, serving.location.line, serving.location.end_line) == (str(app / "main.tf"), 20, 27)
    assert serving.compute.instance_type == "g5.xlarge"  # local.serving_type
    assert serving.compute.region == "us-east-1"  # var.region's default
    assert dict(serving.tags) == {"finops:team": "ml-platform", "finops:environment": "dev"}
    assert "aws_instance.serving[1]" in resources
    assert serving.attributes["user_data"].strip() == '#!/bin/bash\necho "serving"'


def test_unresolved_values_are_unknown(app):
    dynamic = by_address(hcl.load_root(app, TerraformInputs()))["aws_instance.dynamic"]
    assert dynamic.compute.instance_type is None
    assert "instance_type" in dynamic.unknown


def test_local_modules_read_in_place_with_for_each_and_remote_ones_reported(app):
    resources = by_address(hcl.load_root(app, TerraformInputs()))
    pool = resources['module.gpu.aws_eks_node_group.pool["b"]']
    assert pool.location.path == str(app / "modules" / "gpu" / "main.tf")
    assert pool.location.line == 3
    assert (pool.compute.instance_type, pool.compute.market) == ("g6e.12xlarge", "spot")
    assert dict(pool.tags)["finops:team"] == "ml-platform"  # the root provider's default_tags
    assert "module.registry" not in resources
    (registry,) = hcl.load_root(app, TerraformInputs()).not_evaluated
    assert (registry.kind, registry.name, registry.location.line) == ("module", "module.registry", 38)
    assert "'terraform-aws-modules/eks/aws' (registry) is not downloaded" in registry.reason


def test_scan_of_the_tree_reads_the_module_through_its_call(app):
    result = scan([str(app)], NO_POLICIES)
    addresses = {r.address for r in result.resources}
    assert 'module.gpu.aws_eks_node_group.pool["a"]' in addresses
    assert 'aws_eks_node_group.pool["a"]' not in addresses
    assert result.inputs == (str(app),)


def test_a_file_named_on_its_own(app):
    result = scan([str(app / "main.tf")], NO_POLICIES)
    assert {r.location.path for r in result.resources} == {str(app / "main.tf")}


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('resource "aws_instance" "a" {\n  instance_type = \n}\n', "invalid HCL", 2),
        ('resource "aws_instance" "a" {\n', "invalid HCL", None),
    ],
)
def test_invalid_hcl_is_a_clean_error_and_other_files_still_load(tmp_path, text, message, line):
    (tmp_path / "bad.tf").write_text(text)
    (tmp_path / "good.tf").write_text('resource "aws_instance" "b" {\n  instance_type = "t3.micro"\n}\n')
    loaded = hcl.load_root(tmp_path, TerraformInputs())
    assert message in loaded.errors[0].message
    assert loaded.errors[0].path == str(tmp_path / "bad.tf")
    if line:
        assert loaded.errors[0].line == line
    assert [r.address for r in loaded.resources] == ["aws_instance.b"]


def test_byte_order_mark(tmp_path):
    (tmp_path / "main.tf").write_bytes(b'\xef\xbb\xbfresource "aws_instance" "a" {\n  instance_type = "t3.micro"\n}\n')
    assert [r.address for r in hcl.load_root(tmp_path, TerraformInputs()).resources] == ["aws_instance.a"]


def test_plan_findings_point_at_the_tf_blocks(tmp_path):
    shutil.copytree(APP, tmp_path / "app")
    result = scan([str(tmp_path / "app" / "plan.json")], NO_POLICIES)
    locations = {
        r.address: (Path(r.location.path).relative_to(tmp_path / "app").as_posix(), r.location.line)
        for r in result.resources
    }
    assert locations == {
        "aws_instance.serving[0]": ("main.tf", 20),
        "aws_instance.serving[1]": ("main.tf", 20),
        "aws_instance.dynamic": ("main.tf", 29),
        'module.gpu.aws_eks_node_group.pool["a"]': ("modules/gpu/main.tf", 3),
        'module.gpu.aws_eks_node_group.pool["b"]': ("modules/gpu/main.tf", 3),
    }
    assert result.costs  # keys still join: the plan is the document
    assert all(r.document.endswith("plan.json") for r in result.resources)


def test_tf_dir_names_the_configuration_when_the_plan_is_elsewhere(tmp_path):
    shutil.copy(APP / "plan.json", tmp_path / "plan.json")
    unmapped = scan([str(tmp_path / "plan.json")], NO_POLICIES)
    assert {r.location.path for r in unmapped.resources} == {str(tmp_path / "plan.json")}
    mapped = scan([str(tmp_path / "plan.json")], ScanOptions(sources=(), tf_dir=APP))
    assert {Path(r.location.path).name for r in mapped.resources} == {"main.tf"}
