"""Expected rework of spot training without checkpoints.

Interruptions arrive at ``rate`` per instance-month, independently on each of the job's
``N`` instances (a distributed job stops when any one is reclaimed). Without checkpoints an
interruption loses the run's progress so far, on average half a run of ``H`` hours, on all
``N`` instances. Expected lost instance-hours per run = (N x rate/730 x H) x (H/2) x N.
"""

from __future__ import annotations

from costwarden.model import HOURS_PER_MONTH, Compute


def rework_instance_hours(compute: Compute, rate_per_month: float) -> tuple[float, str] | None:
    if compute.run_hours is None or compute.count is None:
        return None
    instances, hours = compute.count, compute.run_hours
    interruptions = instances * rate_per_month / HOURS_PER_MONTH * hours
    per_run = interruptions * hours / 2 * instances
    runs = compute.runs_per_month if compute.runs_per_month is not None else 1
    basis = (
        f"expected rework without checkpoints: {instances} instances x {rate_per_month:g} interruptions per "
        f"instance-month over a {hours:g} h run = {interruptions:.3g} interruptions, each losing half the run on "
        f"every instance: {per_run:.3g} instance-hours per run x {runs:g} runs/month"
    )
    return per_run * runs, basis
