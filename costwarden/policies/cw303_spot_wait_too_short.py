from __future__ import annotations

from collections.abc import Iterator

from costwarden.model import Resource, Severity
from costwarden.policies.base import Context, Finding, Inconclusive, policy


@policy(
    id="CW303",
    name="spot-wait-too-short",
    title="Spot training may give up before it finishes",
    severity=Severity.HIGH,
)
def spot_wait_too_short(resource: Resource, context: Context) -> Iterator[Finding | Inconclusive]:
    """Managed spot training waits long enough for capacity to finish its run.

    A managed spot training job waits for capacity at most ``MaxWaitTimeInSeconds``, which
    includes its ``MaxRuntimeInSeconds``. Missing, the request is invalid; below the run time,
    it is invalid too; below ``training.max_wait_ratio`` times the run time (default 2), the job
    is likely to stop unfinished and its spend is lost. The cost impact is the run's cost.

    Fails: ``MaxRuntimeInSeconds: 86400`` with ``MaxWaitTimeInSeconds: 90000``.

    Passes: ``MaxRuntimeInSeconds: 86400`` with ``MaxWaitTimeInSeconds: 172800``.
    """
    training = resource.training
    if training is None or training.spot is not True:
        return
    if not training.stopping_known:
        yield Inconclusive("the stopping condition is set at run time")
        return
    runtime, wait = training.max_runtime_seconds, training.max_wait_seconds
    ratio = context.config.training.max_wait_ratio
    if wait is None:
        message = "MaxWaitTimeInSeconds is missing: managed spot training requires it"
    elif runtime is not None and wait < runtime:
        message = f"MaxWaitTimeInSeconds {wait:g} is below MaxRuntimeInSeconds {runtime:g}: the request is invalid"
    elif runtime is not None and wait < ratio * runtime:
        message = f"MaxWaitTimeInSeconds {wait:g} is under {ratio:g}x MaxRuntimeInSeconds {runtime:g}"
    else:
        return
    target = f"{ratio * runtime:g}" if runtime is not None else f"{ratio:g}x the run time"
    yield Finding(message=message, remediation=f"Set MaxWaitTimeInSeconds to at least {target}.")
