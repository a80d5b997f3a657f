"""Real files published by other people (``$COSTWARDEN_CORPUS``), as an external check.

Every input scans without a crash: findings, or a clean error for files broken on purpose.
A ``.tf`` tree (the highest folder below a category holding ``.tf`` files, with everything under
it) is scanned as one input, the way a user scans a checkout; a ``.tf`` file directly in a
category folder is scanned on its own. The printed summary names each input's resources,
violations (the policies that fired) and cost, and for each ``.tf`` tree the resources evaluated
and the module calls that were not.
"""

import os
from pathlib import Path

import pytest

from costwarden import scan
from tests.requires import unavailable

DEFAULT = Path(__file__).parents[2] / "shared" / "corpus"
CORPUS = Path(os.environ.get("COSTWARDEN_CORPUS", DEFAULT))
TERRAFORM_SIDE_FILES = (".tf", ".tfvars", ".tf.json", ".tfvars.json", ".tpl", ".tftpl")


def _tf_trees(files):
    """Highest folders (not a category folder itself) that hold ``.tf`` files directly."""
    holding = {p.parent for p in files if p.suffix == ".tf" and len(p.relative_to(CORPUS).parts) > 2}
    return sorted(f for f in holding if not any(parent in holding for parent in f.parents))


def corpus_inputs():
    """Each input of the corpus: a file, or a ``.tf`` tree's folder."""
    if not CORPUS.is_dir():
        return []
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name not in ("MANIFEST.tsv", "README.md"))
    trees = _tf_trees(files)

    def in_tree(path):
        return any(tree in path.parents for tree in trees)

    singles = [p for p in files if not in_tree(p) and not (p.name.endswith(TERRAFORM_SIDE_FILES) and p.suffix != ".tf")]
    return sorted([*trees, *singles])


@pytest.fixture(scope="module")
def results():
    if not CORPUS.is_dir():
        unavailable(f"corpus not found: set COSTWARDEN_CORPUS (looked in {CORPUS})")
    return {path.relative_to(CORPUS).as_posix(): scan([str(path)]) for path in corpus_inputs()}


def _is_terraform_source(name):
    path = CORPUS / name
    return path.is_dir() or path.suffix == ".tf"


def test_every_file_scans_without_a_crash(results, capsys):
    assert results, "the corpus is empty"
    with capsys.disabled():
        print(f"\ncorpus {CORPUS}:")
        head = f"{'input':<62} {'res':>4} {'priced':>6} {'n/e':>4} {'viol':>4} {'$/month':>10}"
        print(f"  {head}  policies fired; errors")
        for name, result in results.items():
            totals, coverage = result.totals, result.coverage
            fired = ",".join(sorted({v.policy_id for v in result.violations})) or "-"
            problems = "; ".join(p.message[:60] for p in result.errors)
            counts = (
                f"{totals.resources:>4} {coverage.priced:>6} {len(coverage.not_evaluated):>4} {totals.violations:>4}"
            )
            print(f"  {name:<62} {counts} {totals.monthly_cost:>10.2f}  {fired} {problems}")
        terraform = {name: r for name, r in results.items() if _is_terraform_source(name)}
        if terraform:
            print(f"\n  {'.tf input':<62} {'evaluated':>9} {'modules not evaluated':>22}")
        for name, result in terraform.items():
            modules = [n for n in result.not_evaluated if n.kind == "module"]
            print(f"  {name:<62} {len(result.resources):>9} {len(modules):>22}")
            for module in modules:
                print(f"      {module.name} ({module.location}): {module.reason}")
    for name, result in results.items():
        for problem in result.errors:
            assert "\n" not in str(problem), name


def test_every_module_call_not_evaluated_says_where_and_why(results):
    for name, result in results.items():
        for entry in result.not_evaluated:
            if entry.kind == "module":
                assert entry.reason and entry.location.path.endswith(".tf") and entry.location.line >= 1, name


def test_no_file_yields_nothing_without_saying_why(results):
    """Zero resources is an answer only with a reason: an error, a warning, a skip or a not-evaluated entry."""
    for name, result in results.items():
        if not result.resources:
            said = result.errors or result.warnings or result.skipped or result.not_evaluated
            assert said or name == "plan_json/tfjson_actions_no_resource_changes.json", name


def test_every_plan_loads(results):
    plans = {name: r for name, r in results.items() if name.startswith("plan_json/")}
    assert len(plans) >= 12
    for name, result in plans.items():
        assert result.errors == (), name


def test_wrapper_plan_loads_with_a_hint(results):
    result = results["plan_json/infracost_plan_with_terraform_wrapper_prefix.json"]
    assert [r.address for r in result.resources] == [
        "aws_instance.web_app",
        "aws_lambda_function.hello_world",
    ]
    assert "setup-terraform" in result.warnings[0].message


def test_default_tags_reach_tags_all(results):
    result = results["plan_json/infracost_default_tags_plan.json"]
    web = next(r for r in result.resources if r.address == "aws_instance.web_app")
    assert dict(web.tags) == {
        "DefaultNotOverride": "defaultnotoverride",
        "DefaultOverride": "defaultoverride",
        "foo": "bar",
    }
    assert web.compute.instance_type == "m5.4xlarge"
    assert result.costs[web.key].monthly_cost == pytest.approx(0.768 * 730)


def test_asg_tag_blocks(results):
    result = results["plan_json/checkov_plan_asg_tag_blocks.json"]
    groups = [r for r in result.resources if r.type == "aws_autoscaling_group"]
    assert [dict(g.tags) for g in groups] == [{"tag1": "test", "tag2": "test"}] * 2


def test_modules_count_and_for_each_addresses(results):
    result = results["plan_json/infracost_tf014_modules_count_foreach.json"]
    addresses = {r.address for r in result.resources}
    assert "aws_instance.instance_counted[0]" in addresses
    assert any(a.startswith("module.db.module.db_1.") for a in addresses)


def test_update_is_priced_after_the_change(results):
    result = results["plan_json/infracost_update_instance_type.json"]
    (resource,) = result.resources
    assert (resource.action, resource.compute.instance_type) == ("update", "t3.small")


def test_plan_without_resource_changes(results):
    result = results["plan_json/tfjson_actions_no_resource_changes.json"]
    assert (result.resources, result.errors) == ((), ())


def test_every_kubernetes_and_sagemaker_file_loads(results):
    for name, result in results.items():
        if name.startswith(("k8s/", "sagemaker/")):
            assert result.errors == (), name
            assert result.resources, name


def test_kubernetes_corpus_facts(results):
    tgi = results["k8s/gke_tgi_llama3_70b_2xl4_spot.yaml"].resources[0]
    assert (tgi.compute.gpu.model, tgi.compute.gpu.count, tgi.compute.market) == ("L4", 2, "spot")
    assert tgi.model == "meta-llama/Meta-Llama-3-70B-Instruct"
    assert tgi.model_memory_gib == pytest.approx(39.1)  # 70B at 4 bits (QUANTIZE=bitsandbytes-nf4) + 20%
    pool = results["k8s/dataoneks_karpenter_nodepool_gpu_g5_g6_g6e_spot.yaml"].resources[0]
    assert pool.category == "node_pool"
    job = results["k8s/kubeflow_pytorchjob_mnist_nccl_gpu.yaml"].resources[0]
    assert job.category == "training_job"
    keda = results["k8s/vllm_prodstack_keda_scaledobject.yaml"].resources[0]
    assert keda.links == {"scale_target": "Deployment/default/vllm-llama3-deployment-vllm"}


def test_sagemaker_corpus_facts(results):
    sfn = results["sagemaker/sfn_asl_managed_spot_training_with_checkpoint.json"].resources[0]
    assert (sfn.training.spot, sfn.training.checkpoint) == (None, True)  # decided by the execution input
    cfn = {r.address: r for r in results["sagemaker/cfn_endpoint_prd_autoscaling_monitoring.yml"].resources}
    config = cfn["AWS::SageMaker::EndpointConfig.EndpointConfig"]
    assert config.scaling is not None  # the ScalableTarget reached it through the endpoint
    ack = results["sagemaker/ack_trainingjob_xgboost_no_spot.yaml"].resources[0]
    assert (ack.compute.instance_type, ack.training.spot) == ("ml.m4.xlarge", False)
