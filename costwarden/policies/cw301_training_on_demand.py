from __future__ import annotations

from collections.abc import Iterator

from costwarden.model import Remedy, Resource, Severity
from costwarden.policies.base import Context, Finding, Inconclusive, policy
from costwarden.policies.workloads import gpus, workload


@policy(
    id="CW301",
    name="training-on-demand",
    title="GPU training on on-demand capacity",
    severity=Severity.MEDIUM,
)
def training_on_demand(resource: Resource, context: Context) -> Iterator[Finding | Inconclusive]:
    """GPU training runs on spot capacity.

    GPU training tolerates interruptions when it checkpoints, and spot capacity costs a
    fraction of on-demand: SageMaker managed spot training, spot node pools (EKS, GKE, AKS),
    spot node selectors for training Jobs. The remedy is spot, priced from the catalog.

    Fails: ``CreateTrainingJob`` on ``ml.p4d.24xlarge`` without ``EnableManagedSpotTraining``.

    Passes: the same job with ``"EnableManagedSpotTraining": true`` and a ``CheckpointConfig``.
    """
    compute = resource.compute
    if compute is None or workload(resource) != "training" or compute.market != "on_demand":
        return
    if not gpus(resource):
        return
    if resource.training is not None and resource.training.spot is None:
        yield Inconclusive("spot or on-demand is decided at run time")
        return
    yield Finding(
        message=f"GPU training on on-demand capacity ({compute.instance_type or 'GPU nodes'})",
        remediation=(
            "Run on spot: EnableManagedSpotTraining with a CheckpointConfig (SageMaker), a spot "
            "node pool or capacity type (EKS, GKE, AKS), or a spot node selector."
        ),
        remedy=Remedy({"market": "spot"}, "spot capacity"),
    )
