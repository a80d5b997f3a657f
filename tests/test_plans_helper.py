from tests.plans import change


def test_change_reads_module_and_index_off_the_address():
    entry = change('module.a["x"].module.b.aws_instance.c[0]', {})
    assert entry["module_address"] == 'module.a["x"].module.b'
    assert (entry["type"], entry["name"]) == ("aws_instance", "c")


def test_change_root_resource_has_no_module_address():
    entry = change("aws_instance.web", {})
    assert "module_address" not in entry
    assert (entry["type"], entry["name"]) == ("aws_instance", "web")


def test_change_single_module():
    entry = change('module.batch.aws_eks_node_group.gpu["a"]', {})
    assert entry["module_address"] == "module.batch"
    assert (entry["type"], entry["name"]) == ("aws_eks_node_group", "gpu")
