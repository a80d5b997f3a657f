import pytest

from costwarden import Document, scan
from costwarden.loaders import terraform_plan
from tests.plans import aws_provider, change, config_resource, dumps, plan


def computes(document):
    loaded = terraform_plan.load("p.json", dumps(document))
    assert not loaded.errors
    return {r.address: r.compute for r in loaded.resources}


def scanned(document):
    result = scan(Document("p.json", dumps(document)))
    assert not result.errors, result.errors
    return {r.address: r for r in result.resources}


@pytest.mark.parametrize(
    ("after", "market"),
    [
        ({"instance_type": "g5.xlarge"}, "on_demand"),
        ({"instance_type": "g5.xlarge", "instance_market_options": []}, "on_demand"),
        (
            {"instance_type": "g5.xlarge", "instance_market_options": [{"market_type": "spot"}]},
            "spot",
        ),
        (
            {"instance_type": "g5.xlarge", "instance_market_options": [{"market_type": None}]},
            "spot",
        ),
        (
            {
                "instance_type": "g5.xlarge",
                "instance_market_options": [{"market_type": "capacity-block"}],
            },
            "on_demand",
        ),
        ({"instance_type": "g5.xlarge", "instance_lifecycle": "spot"}, "spot"),
    ],
)
def test_aws_instance_market(after, market):
    compute = computes(plan(change("aws_instance.a", after)))["aws_instance.a"]
    assert (compute.instance_type, compute.count, compute.market) == ("g5.xlarge", 1, market)


@pytest.mark.parametrize(
    ("after", "region"),
    [
        ({"availability_zone": "eu-west-1b"}, "eu-west-1"),
        ({"availability_zone": "us-gov-west-1a"}, "us-gov-west-1"),
        ({"availability_zone": None}, "us-east-1"),
    ],
)
def test_region_from_availability_zone_else_provider(after, region):
    assert computes(plan(change("aws_instance.a", after)))["aws_instance.a"].region == region


def test_region_from_a_root_variable():
    providers = {"aws": {"name": "aws", "expressions": {"region": {"references": ["var.region"]}}}}
    document = plan(change("aws_instance.a", {}), providers=providers, variables={"region": "us-west-2"})
    assert computes(document)["aws_instance.a"].region == "us-west-2"


def test_region_assumed_when_undeclared():
    providers = {"aws": {"name": "aws", "expressions": {"region": {"references": ["data.x.y"]}}}}
    compute = scanned(plan(change("aws_instance.a", {"instance_type": "t3.micro"}), providers=providers))[
        "aws_instance.a"
    ].compute
    assert (compute.region, compute.region_assumed) == ("us-east-1", True)


def test_gpu_filled_from_the_catalog():
    compute = scanned(plan(change("aws_instance.a", {"instance_type": "p4d.24xlarge"})))["aws_instance.a"].compute
    assert (compute.gpu.model, compute.gpu.count, compute.gpu.memory_gib) == ("A100", 8, 40.0)


def test_asg_takes_instance_type_and_market_from_its_launch_template():
    document = plan(
        change(
            "aws_launch_template.t",
            {"instance_type": "g5.2xlarge", "instance_market_options": [{"market_type": "spot"}]},
        ),
        change(
            "aws_autoscaling_group.g",
            {"min_size": 1, "max_size": 4, "desired_capacity": 3},
            after_unknown={"launch_template": [{"id": True}]},
        ),
        root_resources=[
            config_resource(
                "aws_autoscaling_group.g",
                launch_template=[{"id": {"references": ["aws_launch_template.t.id", "aws_launch_template.t"]}}],
            ),
        ],
    )
    resources = scanned(document)
    group = resources["aws_autoscaling_group.g"]
    assert group.links == {"launch_template": "aws_launch_template.t"}
    assert (group.compute.instance_type, group.compute.count, group.compute.market) == (
        "g5.2xlarge",
        3,
        "spot",
    )
    assert (group.scaling.min, group.scaling.max, group.scaling.desired) == (1, 4, 3)
    assert resources["aws_launch_template.t"].compute.count == 0


def test_asg_launch_template_in_the_same_module():
    document = plan(
        change("module.m.aws_launch_template.t[0]", {"instance_type": "g6.xlarge"}),
        change("module.m.aws_autoscaling_group.g", {"min_size": 2, "max_size": 2}),
        module_calls={
            "m": {
                "module": {
                    "resources": [
                        config_resource(
                            "aws_autoscaling_group.g",
                            launch_template=[
                                {
                                    "name": {
                                        "references": [
                                            "aws_launch_template.t[0].name",
                                            "aws_launch_template.t",
                                        ]
                                    }
                                }
                            ],
                        ),
                    ]
                }
            }
        },
    )
    group = scanned(document)["module.m.aws_autoscaling_group.g"]
    assert (group.compute.instance_type, group.compute.count) == ("g6.xlarge", 2)


def test_asg_desired_capacity_defaults_to_min_size():
    compute = computes(
        plan(
            change(
                "aws_autoscaling_group.g",
                {"min_size": 2, "max_size": 5, "desired_capacity": None},
                after_unknown={"desired_capacity": True},
            )
        )
    )["aws_autoscaling_group.g"]
    assert compute.count == 2


def test_asg_launch_configuration_link():
    document = plan(
        change("aws_launch_configuration.lc", {"instance_type": "c5.large", "spot_price": "0.05"}),
        change("aws_autoscaling_group.g", {"min_size": 1, "max_size": 1}),
        root_resources=[
            config_resource(
                "aws_autoscaling_group.g",
                launch_configuration={
                    "references": [
                        "aws_launch_configuration.lc.name",
                        "aws_launch_configuration.lc",
                    ]
                },
            )
        ],
    )
    group = scanned(document)["aws_autoscaling_group.g"]
    assert (group.compute.instance_type, group.compute.market) == ("c5.large", "spot")


@pytest.mark.parametrize(
    ("desired", "base", "percentage", "market", "spot"),
    [
        (10, 0, 100, "on_demand", 0),
        (10, 0, 0, "spot", 10),
        (10, 2, 50, "mixed", 4),  # 2 base + ceil(8 * 0.5) = 6 on-demand
        (
            5,
            0,
            25,
            "mixed",
            3,
        ),  # ceil(5 * 0.25) = 2 on-demand: AWS rounds up in favour of on-demand
        (3, 5, 0, "on_demand", 0),  # all within the on-demand base
    ],
)
def test_asg_mixed_instances_policy(desired, base, percentage, market, spot):
    policy = [
        {
            "instances_distribution": [
                {
                    "on_demand_base_capacity": base,
                    "on_demand_percentage_above_base_capacity": percentage,
                }
            ],
            "launch_template": [
                {
                    "launch_template_specification": [{}],
                    "override": [{"instance_type": None}, {"instance_type": "g5.xlarge"}],
                }
            ],
        }
    ]
    after = {
        "min_size": 0,
        "max_size": 20,
        "desired_capacity": desired,
        "mixed_instances_policy": policy,
    }
    compute = computes(plan(change("aws_autoscaling_group.g", after)))["aws_autoscaling_group.g"]
    assert (compute.instance_type, compute.count, compute.market, compute.spot_count) == (
        "g5.xlarge",
        desired,
        market,
        spot,
    )


def test_eks_node_group_defaults():
    after = {
        "instance_types": None,
        "capacity_type": None,
        "scaling_config": [{"desired_size": 2, "min_size": 1, "max_size": 3}],
    }
    resource = scanned(plan(change("aws_eks_node_group.n", after)))["aws_eks_node_group.n"]
    assert (resource.compute.instance_type, resource.compute.market, resource.compute.count) == (
        "t3.medium",
        "on_demand",
        2,
    )
    assert (resource.scaling.min, resource.scaling.max, resource.category) == (1, 3, "node_pool")


def test_eks_spot_gpu_node_group():
    after = {
        "instance_types": ["g6e.12xlarge", "g6e.24xlarge"],
        "capacity_type": "SPOT",
        "scaling_config": [{"desired_size": 0, "min_size": 0, "max_size": 3}],
    }
    resource = scanned(plan(change("aws_eks_node_group.n", after)))["aws_eks_node_group.n"]
    assert (resource.compute.instance_type, resource.compute.market, resource.compute.count) == (
        "g6e.12xlarge",
        "spot",
        0,
    )
    assert resource.scaling.scale_to_zero


def test_eks_instance_types_unknown_stays_unknown():
    compute = computes(
        plan(
            change(
                "aws_eks_node_group.n",
                {"instance_types": None},
                after_unknown={"instance_types": True},
            )
        )
    )
    assert compute["aws_eks_node_group.n"].instance_type is None


def test_eks_instance_type_from_launch_template():
    document = plan(
        change("aws_launch_template.t", {"instance_type": "p5.48xlarge"}),
        change(
            "aws_eks_node_group.n",
            {"instance_types": None, "scaling_config": [{"desired_size": 1}]},
        ),
        root_resources=[
            config_resource(
                "aws_eks_node_group.n",
                launch_template=[{"id": {"references": ["aws_launch_template.t.id"]}}],
            )
        ],
    )
    assert scanned(document)["aws_eks_node_group.n"].compute.instance_type == "p5.48xlarge"


def test_other_resources_have_no_compute():
    assert computes(plan(change("aws_s3_bucket.b", {"bucket": "x"})))["aws_s3_bucket.b"] is None


def test_default_provider_region_is_used_before_the_config_default():
    document = plan(
        change("aws_instance.a", {"instance_type": "g5.xlarge"}),
        providers={"aws": aws_provider("eu-central-1")},
    )
    assert computes(document)["aws_instance.a"].region == "eu-central-1"
