"""What things cost: catalogs as data, one cost model per service, remedies priced as changes."""

from __future__ import annotations

from collections.abc import Callable

from costwarden.model import Compute
from costwarden.pricing import azure, ec2, gce, sagemaker
from costwarden.pricing.catalog import Catalog, load_catalog, shipped_catalog
from costwarden.pricing.quote import Quote, Unpriced

CostModel = Callable[[Compute, Catalog], Quote | Unpriced]

COST_MODELS: dict[tuple[str, str], CostModel] = {
    ("aws", "ec2"): ec2.price,
    ("aws", "sagemaker"): sagemaker.price,
    ("aws", "sagemaker_serverless"): sagemaker.price_serverless,
    ("google", "gce"): gce.price,
    ("azure", "azure_vm"): azure.price,
}


def quote(compute: Compute, catalog: Catalog) -> Quote | Unpriced:
    """The price of ``compute``, worked out once per catalog: a scan asks for the same fleet,
    and remedies for the same candidates, many times."""
    key = ("quote", compute, catalog.fallback_region)
    found: Quote | Unpriced | None = catalog.memo.get(key)
    if found is None:
        found = catalog.memo[key] = _quote(compute, catalog)
    return found


def _quote(compute: Compute, catalog: Catalog) -> Quote | Unpriced:
    if compute.provider == "kubernetes":
        return Unpriced(
            "no node selector or affinity names the GPU node (node.kubernetes.io/instance-type, "
            "karpenter.k8s.aws/instance-family, cloud.google.com/gke-accelerator, nvidia.com/gpu.product)"
        )
    model = COST_MODELS.get((compute.provider, compute.service))
    if model is None:
        return Unpriced(f"no cost model for {compute.provider} {compute.service} yet")
    return model(compute, catalog)


__all__ = ["COST_MODELS", "Catalog", "Quote", "Unpriced", "load_catalog", "quote", "shipped_catalog"]
