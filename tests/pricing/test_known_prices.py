"""Known prices come out exactly, through the whole pipeline (plan -> Compute -> catalog)."""

import pytest

from costwarden import Document, scan
from tests.plans import change, dumps, plan

GOOGLE = "registry.terraform.io/hashicorp/google"
AZURE = "registry.terraform.io/hashicorp/azurerm"


def cost(*changes, providers=None):
    result = scan(Document("p.json", dumps(plan(*changes, providers=providers))))
    assert not result.errors, result.errors
    return result


def monthly(result, address):
    return next(c for k, c in result.costs.items() if k.endswith("::" + address)).monthly_cost


@pytest.mark.parametrize(
    ("entry", "hourly"),
    [
        (change("aws_instance.a", {"instance_type": "p4d.24xlarge"}), 21.957642),
        (change("aws_instance.a", {"instance_type": "g5.xlarge"}), 1.006),
        (
            change(
                "aws_sagemaker_endpoint_configuration.a",
                {
                    "production_variants": [
                        {"variant_name": "v", "instance_type": "ml.g5.xlarge", "initial_instance_count": 1}
                    ]
                },
            ),
            1.4084,
        ),
        (
            change(
                "google_compute_instance.a", {"machine_type": "a2-highgpu-1g", "zone": "us-central1-a"}, provider=GOOGLE
            ),
            3.673385,
        ),
        (
            change(
                "azurerm_linux_virtual_machine.a",
                {"size": "Standard_NC24ads_A100_v4", "location": "eastus"},
                provider=AZURE,
            ),
            3.673,
        ),
        (
            change(
                "google_container_node_pool.l4",
                {
                    "location": "us-central1",
                    "node_locations": ["us-central1-a"],
                    "node_count": 2,
                    "node_config": [
                        {"machine_type": "g2-standard-4", "guest_accelerator": [{"type": "nvidia-l4", "count": 1}]}
                    ],
                },
                provider=GOOGLE,
            ),
            2 * 0.706832,  # g2 includes its L4: not added again
        ),
    ],
    ids=["p4d.24xlarge", "g5.xlarge", "ml.g5.xlarge-hosting", "a2-highgpu-1g", "NC24ads_A100_v4", "gke-l4-pool"],
)
def test_known_prices(entry, hourly):
    result = cost(entry)
    assert monthly(result, entry["address"]) == pytest.approx(hourly * 730, abs=1e-9)


def test_n1_with_attached_t4s_adds_the_accelerators():
    entry = change(
        "google_compute_instance.a",
        {
            "machine_type": "n1-standard-4",
            "zone": "us-central1-b",
            "guest_accelerator": [{"type": "nvidia-tesla-t4", "count": 2}],
        },
        provider=GOOGLE,
    )
    result = cost(entry)
    assert monthly(result, "google_compute_instance.a") == pytest.approx((0.189999 + 2 * 0.35) * 730)
    assert (
        "n1-standard-4 $0.189999/h in us-central1 + 2 x nvidia-tesla-t4 $0.35/h"
        in next(iter(result.costs.values())).basis
    )


@pytest.mark.parametrize(
    "scheduling",
    [{"provisioning_model": "SPOT"}, {"preemptible": True}],
)
def test_gce_spot_and_preemptible_use_catalog_spot_prices(scheduling):
    entry = change(
        "google_compute_instance.a",
        {"machine_type": "a2-highgpu-1g", "zone": "us-central1-a", "scheduling": [scheduling]},
        provider=GOOGLE,
    )
    assert monthly(cost(entry), "google_compute_instance.a") == pytest.approx(1.92802 * 730)


def test_gke_regional_pool_runs_node_count_in_three_zones_and_says_so():
    entry = change(
        "google_container_node_pool.p",
        {
            "location": "us-central1",
            "node_count": 1,
            "node_config": [{"machine_type": "g2-standard-4", "spot": True}],
        },
        provider=GOOGLE,
    )
    result = cost(entry)
    (resource,) = result.resources
    assert resource.compute.count == 3
    assert resource.compute.gpu.model == "nvidia-l4"
    basis = next(iter(result.costs.values())).basis
    assert "node_count x 3 zones (a regional pool's default)" in basis
    assert monthly(result, "google_container_node_pool.p") == pytest.approx(3 * 0.397336 * 730)


def test_azure_spot_uses_the_catalog_spot_price():
    entry = change(
        "azurerm_linux_virtual_machine.a",
        {"size": "Standard_NC24ads_A100_v4", "location": "East US", "priority": "Spot"},
        provider=AZURE,
    )
    assert monthly(cost(entry), "azurerm_linux_virtual_machine.a") == pytest.approx(0.746721 * 730)


def test_azure_spot_without_a_spot_price_uses_the_series_discount():
    entry = change(
        "azurerm_linux_virtual_machine.a",
        {"size": "Standard_ND96isr_H200_v5", "location": "australiaeast", "priority": "Spot"},
        provider=AZURE,
    )
    result = cost(entry)
    basis = next(iter(result.costs.values())).basis
    assert "typical" in basis or "upper bound" in basis


def test_windows_vm_is_priced_as_linux_and_says_so():
    entry = change(
        "azurerm_windows_virtual_machine.a", {"size": "Standard_NC24ads_A100_v4", "location": "eastus"}, provider=AZURE
    )
    basis = next(iter(cost(entry).costs.values())).basis
    assert "priced as Linux: the Windows licence is not included" in basis


def test_aks_pool_takes_its_region_from_the_cluster():
    cluster = change(
        "azurerm_kubernetes_cluster.k",
        {"location": "westeurope", "default_node_pool": [{"vm_size": "Standard_NC4as_T4_v3", "node_count": 1}]},
        provider=AZURE,
    )
    pool = change(
        "azurerm_kubernetes_cluster_node_pool.gpu",
        {
            "vm_size": "Standard_NC24ads_A100_v4",
            "node_count": None,
            "auto_scaling_enabled": True,
            "min_count": 2,
            "max_count": 5,
            "priority": "Regular",
        },
        provider=AZURE,
    )
    document = plan(cluster, pool, providers={})
    document["configuration"]["root_module"]["resources"] = [
        {
            "address": "azurerm_kubernetes_cluster_node_pool.gpu",
            "mode": "managed",
            "type": "azurerm_kubernetes_cluster_node_pool",
            "name": "gpu",
            "provider_config_key": "azurerm",
            "expressions": {
                "kubernetes_cluster_id": {
                    "references": ["azurerm_kubernetes_cluster.k.id", "azurerm_kubernetes_cluster.k"]
                }
            },
        }
    ]
    result = scan(Document("p.json", dumps(document)))
    pool_resource = next(r for r in result.resources if r.type == "azurerm_kubernetes_cluster_node_pool")
    assert (pool_resource.compute.region, pool_resource.compute.count) == ("westeurope", 2)
    assert (pool_resource.scaling.min, pool_resource.scaling.max) == (2, 5)
    price = next(c for k, c in result.costs.items() if k.endswith("node_pool.gpu"))
    assert "2 nodes, the autoscaler's minimum" in price.basis


def test_sagemaker_variants_serverless_and_shadow():
    entry = change(
        "aws_sagemaker_endpoint_configuration.e",
        {
            "production_variants": [
                {"variant_name": "a", "instance_type": "ml.g5.xlarge", "initial_instance_count": 2},
                {"variant_name": "b", "serverless_config": [{"max_concurrency": 5, "memory_size_in_mb": 2048}]},
            ],
            "shadow_production_variants": [
                {"variant_name": "s", "instance_type": "ml.g5.xlarge", "initial_instance_count": 1}
            ],
        },
    )
    result = cost(entry)
    assert monthly(result, "aws_sagemaker_endpoint_configuration.e") == pytest.approx(3 * 1.4084 * 730)
    assert "serverless inference: billed per request" in next(iter(result.costs.values())).basis


def test_sagemaker_price_derived_from_ec2_with_the_markup_is_said_so():
    entry = change("aws_sagemaker_notebook_instance.n", {"instance_type": "ml.g6.xlarge"})
    (price,) = cost(entry).costs.values()
    assert price.monthly_cost == pytest.approx(round(0.8048 * 1.25, 6) * 730)  # EC2 g6.xlarge, us-east-1
    assert "derived: EC2 g6.xlarge $0.8048/h x markup 1.25 (assumed: no SageMaker notebook price observed" in (
        price.basis
    )
    assert price.basis.endswith("(2026-07-20; derived; markup assumed)")


def test_instance_type_of_the_wrong_provider_is_a_warning_naming_it():
    result = cost(change("aws_instance.a", {"instance_type": "Standard_NC24ads_A100_v4"}))
    assert any("'Standard_NC24ads_A100_v4' is not an EC2 instance type" in w.message for w in result.warnings)
    result = cost(change("aws_sagemaker_notebook_instance.n", {"instance_type": "g5.xlarge"}))
    assert any("'g5.xlarge' is not a SageMaker ML instance type" in w.message for w in result.warnings)


def test_unknown_instance_type_warning_names_the_resource():
    result = cost(change("aws_instance.gpu", {"instance_type": None}, after_unknown={"instance_type": True}))
    (warning,) = [w for w in result.warnings if w.address == "aws_instance.gpu"]
    assert "instance type not in the plan" in warning.message
