"""SageMaker prices: listed for the component, else EC2 x the markup observed for the family and
component; each case computed by hand from shared/data (sagemaker_prices.tsv, Karpenter EC2)."""

import pytest

from costwarden.model import Compute
from costwarden.pricing import shipped_catalog
from costwarden.pricing.sagemaker import price

CATALOG = shipped_catalog()


def quote(instance_type, workload):
    return price(Compute("aws", instance_type, region="us-east-1", workload=workload, service="sagemaker"), CATALOG)


@pytest.mark.parametrize(
    ("instance_type", "workload", "hourly", "said"),
    [
        ("ml.g5.xlarge", "inference", 1.4084, "SageMaker hosting in us-east-1; "),  # listed, FMBench
        ("ml.g4dn.xlarge", "training", 0.7364, "SageMaker training in us-east-1; "),  # listed, Goerlitz
        ("ml.p5.48xlarge", "inference", round(55.04 * 1.15, 6), "x markup 1.15 (p5 hosting ratio observed, 1 pair)"),
        ("ml.p4d.24xlarge", "inference", round(21.957642 * 1.15, 6), "x markup 1.15 (p4d hosting ratio observed"),
        ("ml.p4de.24xlarge", "inference", round(27.44705 * 1.15, 6), "(p4de as a p4d variant: p4d hosting ratio"),
        ("ml.p5.48xlarge", "training", round(55.04 * 1.15, 6), "(median of 2 pairs of 8+ accelerator types for train"),
        ("ml.p4d.24xlarge", "training", round(21.957642 * 1.15, 6), "(median of 2 pairs of 8+ accelerator types for"),
        ("ml.g5.2xlarge", "training", round(1.212 * 1.25, 6), "(median of 10 pairs of GPU and accelerator types for"),
        ("ml.p3.8xlarge", "training", 14.688, "SageMaker training in us-east-1; "),
        ("ml.p3.2xlarge", "inference", 3.825, "SageMaker hosting in us-east-1; "),
        ("ml.g6.xlarge", "notebook", round(0.8048 * 1.25, 6), "(assumed: no SageMaker notebook price observed; me"),
        ("ml.m5.large", "notebook", round(0.096 * 1.2, 6), "median of all 5 pairs of CPU types)"),
        ("ml.m5.large", "training", round(0.096 * 1.2, 6), "(assumed: no SageMaker training price observed"),
    ],
)
def test_price_per_component(instance_type, workload, hourly, said):
    found = quote(instance_type, workload)
    assert found.hourly == pytest.approx(hourly)
    assert said in found.basis


@pytest.mark.parametrize(
    ("instance_type", "workload", "flags"),
    [
        ("ml.g5.xlarge", "inference", "(<=2025-01-26; region uncertain)"),
        ("ml.g4dn.xlarge", "training", "(<=2021-11-29; component assumed; region uncertain)"),
        ("ml.g6e.2xlarge", "inference", "(2026-09-20; provenance uncertain)"),
        ("ml.p5.48xlarge", "inference", "(2026-07-20; derived)"),
        ("ml.g6.xlarge", "notebook", "(2026-07-20; derived; markup assumed)"),
    ],
)
def test_every_basis_names_the_source_date_and_its_flags(instance_type, workload, flags):
    assert quote(instance_type, workload).basis.endswith(flags)


def test_an_outdated_listed_price_is_named_beside_the_derived_one():
    basis = quote("ml.p5.48xlarge", "inference").basis
    assert (
        "not the listed $113.068/h (FMBENCH_PRICING_YML, <=2025-01-26) predates the mid-2025 P4/P5 price cut" in basis
    )


def test_sagemaker_spot_states_the_managed_spot_assumption():
    compute = Compute("aws", "ml.g5.2xlarge", region="us-east-1", workload="training", market="spot")
    basis = price(compute, CATALOG).basis
    assert "spot at g5.2xlarge's" in basis and "SageMaker managed spot assumed to save what EC2 spot saves" in basis
