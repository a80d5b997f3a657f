"""The normalized model every loader produces, every policy reads and every report renders.

What the infrastructure *says* (``Resource``, ``Compute``) is kept apart from what it *costs*
(``ResourceCost``, ``CostImpact``): loaders never price, policies never compute money.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

HOURS_PER_MONTH = 730.0

Market = Literal["on_demand", "spot", "mixed"]
"""``mixed`` is an Auto Scaling group whose ``spot_count`` of ``count`` instances run on spot."""

Workload = Literal["training", "inference", "batch", "notebook"]
Action = Literal["create", "update", "delete", "replace", "no-op", "read", "forget"]
Category = Literal[
    "compute_instance",
    "node_pool",
    "training_job",
    "inference_endpoint",
    "inference_workload",
    "notebook",
    "autoscaler",
    "launch_template",
    "other",
]


class Severity(enum.IntEnum):
    """Ordered severities: ``Severity.HIGH > Severity.MEDIUM``."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (one of: {names})") from None


@dataclass(frozen=True, slots=True)
class Location:
    """A place a person can open: ``path:line`` (1-based)."""

    path: str
    line: int = 1
    end_line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Gpu:
    model: str
    count: float
    """Per instance; fractional for shared GPUs (g6f: 0.125)."""
    memory_gib: float | None = None
    """Per GPU."""


@dataclass(frozen=True, slots=True)
class Compute:
    """What costs money, as the IaC declares it. ``None`` means unknown until apply."""

    provider: str
    instance_type: str | None
    count: int | None = 1
    market: Market = "on_demand"
    spot_count: int = 0
    region: str | None = None
    region_assumed: bool = False
    """True when no region was declared and the configured default was used."""
    hours_per_month: float = HOURS_PER_MONTH
    gpu: Gpu | None = None
    """Per instance. For Google N1 machines, the attached ``guest_accelerator`` (priced apart)."""
    workload: Workload | None = None
    service: str = "ec2"
    """The price list: ``ec2``, ``sagemaker``, ``sagemaker_serverless``, ``gce``, ``azure_vm``."""
    run_hours: float | None = None
    """Training: the longest a run may take (``MaxRuntimeInSeconds``); priced per run."""
    runs_per_month: float | None = None
    """Training: runs per month, from the usage file; ``None`` is priced as one, and said so."""
    instance_hours: float | None = None
    """Usage file: instance-hours per month, replacing ``count x hours_per_month``."""
    assumptions: tuple[str, ...] = ()
    """What the loader had to assume, in words; every price's basis repeats them."""
    share: float = 1.0
    """The fraction of one instance each replica uses: a pod asking 2 of a node's 4 GPUs is 0.5."""
    alternatives: tuple[str, ...] = ()
    """Other instance types the fleet may launch (EKS ``instance_types``, ASG overrides): the
    price states the range across all of them beside the one it uses."""
    scales_with: float | None = None
    """For a resource's further parts: instances of this part per instance of the first part,
    when they scale together (LeaderWorkerSet workers with their leader); a remedy that changes
    the first part's count or hours changes this part's too."""


@dataclass(frozen=True, slots=True)
class Scaling:
    min: int | None = None
    max: int | None = None
    desired: int | None = None
    scale_to_zero: bool = False


@dataclass(frozen=True, slots=True)
class NodeHints:
    """What a Kubernetes pod says about the node it needs; the engine picks a priced node."""

    instance_types: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    gpu_classes: tuple[str, ...] = ()
    cloud: str | None = None
    node_pool: str | None = None
    """``karpenter.sh/nodepool``: the NodePool whose requirements apply."""
    source: str = ""
    """The label that named the node, for the cost basis."""


@dataclass(frozen=True, slots=True)
class Utilization:
    """Measured use of a resource's GPUs over a window (per GPU, 0-100)."""

    source: str
    gpu_util_avg: float
    gpu_util_p95: float | None = None
    gpu_memory_peak_gib: float | None = None
    """The largest memory any one GPU used."""
    window_hours: float | None = None
    samples: int | None = None
    requests_per_hour: float | None = None


@dataclass(frozen=True, slots=True)
class Training:
    """What a training job declares about interruptions. ``None`` is unknown (bound at run time)."""

    spot: bool | None = None
    checkpoint: bool | None = None
    max_runtime_seconds: float | None = None
    max_wait_seconds: float | None = None
    stopping_known: bool = True
    """False when the stopping condition itself is bound at run time."""


@dataclass(frozen=True, slots=True)
class Resource:
    address: str
    type: str
    provider: str
    action: Action
    location: Location
    category: Category = "other"
    attributes: Mapping[str, Any] = field(default_factory=dict)
    tags: Mapping[str, str | None] = field(default_factory=dict)
    provider_tags: Mapping[str, str | None] = field(default_factory=dict)
    """The provider's ``default_tags``: what its configuration says of everything it manages,
    read for the environment where they are not the resource's own tags (an Auto Scaling group's
    ``tag`` blocks), never counted as tags."""
    """Effective tags; a value of ``None`` is unknown until apply. When ``"tags"`` is in
    ``unknown``, more keys may appear at apply time."""
    taggable: bool = False
    unknown: frozenset[str] = frozenset()
    """Top-level attribute names whose value is only known at apply time."""
    compute: Compute | None = None
    extra_compute: tuple[Compute, ...] = ()
    """Further parts priced with the resource: an endpoint's other production variants."""
    compute_before: tuple[Compute, ...] = ()
    """Every part that ran before this change (updates, replacements, no-ops, deletes)."""
    scaling: Scaling | None = None
    """Autoscaling bounds; ``None`` when nothing scales the resource."""
    training: Training | None = None
    node_hints: NodeHints | None = None
    utilization: Utilization | None = None
    """Measured, when a metrics source knows the resource; never invented for new ones."""
    model: str | None = None
    """The model served or trained, when the input names it (``meta-llama/Llama-3-8B``)."""
    model_memory_gib: float | None = None
    """GPU memory the model needs, when declared or derived from its parameter count."""
    cloud_id: str | None = None
    """The provider's id of a resource that exists already (from the plan's prior state)."""
    links: Mapping[str, str] = field(default_factory=dict)
    """Role -> address of a related resource: ``{"launch_template": "aws_launch_template.t"}``."""
    source_format: str = ""
    document: str = ""
    """The input this came from, when its location points elsewhere (a plan mapped to ``.tf``)."""

    @property
    def key(self) -> str:
        """Unique within a scan of several inputs: ``document::address``."""
        return f"{self.document or self.location.path}::{self.address}"

    @property
    def exists_after(self) -> bool:
        """False for resources this change destroys, forgets or merely reads."""
        return self.action not in ("delete", "forget", "read")


@dataclass(frozen=True, slots=True)
class Remedy:
    """The change that fixes a violation, as data: ``{"instance_type": "g6.xlarge"}``."""

    changes: Mapping[str, Any]
    description: str = ""


@dataclass(frozen=True, slots=True)
class ResourceCost:
    address: str
    monthly_cost: float
    hourly_cost: float
    basis: str
    components: tuple[CostComponent, ...] = ()
    """The monthly cost as quantity x unit price lines, as Infracost's breakdown shows them."""


@dataclass(frozen=True, slots=True)
class CostComponent:
    """One line of a resource's bill: ``quantity`` ``unit`` at ``unit_price`` USD each."""

    name: str
    quantity: float
    unit: str
    unit_price: float

    @property
    def monthly_cost(self) -> float:
        return self.quantity * self.unit_price


@dataclass(frozen=True, slots=True)
class CostImpact:
    """Each figure with one meaning: ``monthly_cost`` is the spend at stake (what the resource
    costs per month), ``monthly_savings`` what the remedy saves, ``expected_loss`` what is
    expected to be lost per month without the remedy (rework after spot interruptions)."""

    monthly_cost: float
    monthly_cost_after: float
    monthly_savings: float
    basis: str
    catalog_version: str
    currency: str = "USD"
    expected_loss: float = 0.0

    @property
    def spend_at_stake(self) -> float:
        return self.monthly_cost

    @property
    def monthly_impact(self) -> float:
        """What the violation is worth: the savings when a remedy saves money, else the expected
        loss when there is one, else the spend at stake."""
        if self.monthly_savings > 0:
            return self.monthly_savings
        return self.expected_loss if self.expected_loss > 0 else self.monthly_cost


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a violation is not counted: an inline ignore, a waiver, or a baseline entry."""

    kind: Literal["inline", "waiver", "baseline"]
    reason: str
    source: str
    """Where it is written: ``main.tf:12``, ``.costwarden-waivers.yaml:4``, ``baseline.json``."""
    owner: str = ""
    expires: str = ""
    """ISO date; empty: no expiry."""
    ticket: str = ""


@dataclass(frozen=True, slots=True)
class Violation:
    policy_id: str
    policy_name: str
    title: str
    severity: Severity
    address: str
    resource_type: str
    location: Location
    message: str
    remediation: str = ""
    remedy: Remedy | None = None
    cost: CostImpact | None = None
    document: str = ""
    suppression: Suppression | None = None

    @property
    def resource_key(self) -> str:
        return f"{self.document or self.location.path}::{self.address}"

    def reaches(self, fail_on: Severity | None, fail_on_cost: float | None = None) -> bool:
        """True when this violation meets the gate: ``fail_on`` or above, or ``fail_on_cost`` USD a month."""
        if fail_on is not None and self.severity >= fail_on:
            return True
        return fail_on_cost is not None and self.cost is not None and self.cost.monthly_impact >= fail_on_cost


def is_checkov_id(word: str) -> bool:
    """A Checkov check id (``CKV_AWS_8``, ``CKV2_AWS_1``): known only once Checkov has run."""
    return word.upper().startswith(("CKV_", "CKV2_"))


@dataclass(frozen=True, slots=True)
class PolicyInfo:
    """What a report says about a policy: carried on the result for every policy that ran, so
    reports describe user Python, Rego and Checkov policies as well as the built-ins."""

    id: str
    name: str
    title: str
    severity: Severity
    doc: str = ""
    """The documentation: a Python policy's docstring, a Rego rule's METADATA description."""
    help_uri: str | None = None
    source: str = "builtin"
    """Where it comes from: builtin, python, rego or checkov."""

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0] if self.doc else self.title


@dataclass(frozen=True, slots=True)
class Problem:
    """An input or policy that could not be processed, or a value that blocked a check."""

    message: str
    path: str | None = None
    line: int | None = None
    address: str | None = None

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        if self.address:
            where = f"{where} {self.address}".strip()
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True, slots=True)
class NotEvaluated:
    """Something the input declares that costwarden read but could not model, so no policy
    judged it: an accelerator workload of an unknown kind, a module whose source is elsewhere."""

    kind: str
    """What it is: ``LLMInferenceService``, ``module``, ..."""
    name: str
    """Its address or name, as reports show it."""
    location: Location
    reason: str
    accelerators: str = ""
    """What it asks for, when it asks for accelerators: ``32 nvidia.com/gpu``."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file a directory walk found and did not read, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Coverage:
    """What the scan read and what it could judge: nothing passes unsaid."""

    documents: int
    skipped: tuple[Skipped, ...]
    resources: int
    priced: int
    unpriced: tuple[Problem, ...]
    """Resources with compute that could not be priced, with the reason."""
    not_evaluated: tuple[NotEvaluated, ...]

    def line(self) -> str:
        """``42 resources · 38 priced · 4 not priced · 2 not evaluated``."""
        parts = [f"{self.resources} resource{'s' * (self.resources != 1)}", f"{self.priced} priced"]
        if self.unpriced:
            parts.append(f"{len(self.unpriced)} not priced")
        if self.not_evaluated:
            parts.append(f"{len(self.not_evaluated)} not evaluated")
        if self.skipped:
            parts.append(f"{len(self.skipped)} file{'s' * (len(self.skipped) != 1)} skipped")
        return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class CatalogInfo:
    version: str
    date: str


def _cents(figures: Iterable[float]) -> float:
    """A total as every report shows it: each resource's figure in cents, then summed, so a
    total is the sum of the rows printed (``scan`` and ``cost`` agree to the cent)."""
    return round(sum(round(figure, 2) for figure in figures), 2)


@dataclass(frozen=True, slots=True)
class Totals:
    resources: int
    violations: int
    by_severity: Mapping[str, int]
    monthly_cost: float
    """What every priced resource in the scan costs per month."""
    monthly_cost_at_stake: float
    """What the resources with violations cost per month, each resource counted once."""
    monthly_savings: float
    """What the remedies save per month, the best remedy per resource."""
    expected_loss: float = 0.0
    """What is expected to be lost per month without the remedies, the largest per resource."""


@dataclass(frozen=True, slots=True)
class ScanResult:
    resources: tuple[Resource, ...]
    violations: tuple[Violation, ...]
    costs: Mapping[str, ResourceCost]
    """After this change, by ``Resource.key``."""
    catalog: CatalogInfo
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    suppressed: tuple[Violation, ...] = ()
    inputs: tuple[str, ...] = ()
    costs_before: Mapping[str, ResourceCost] = field(default_factory=dict)
    """Before this change, for resources that exist already, by ``Resource.key``."""
    fixed: tuple[str, ...] = ()
    """Baseline entries (``CW101 aws_instance.x``) no longer found: fixed since the baseline."""
    policies: Mapping[str, PolicyInfo] = field(default_factory=dict)
    """Every policy that ran (and every policy a violation names), by id."""
    not_evaluated: tuple[NotEvaluated, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    gates: Mapping[str, Severity | None] = field(default_factory=dict)
    """A severity threshold of its own per policy source (``checkov``: ``--checkov-fail-on``),
    in place of ``fail_on``; ``None`` never fails. A source not named uses ``fail_on``."""
    _totals: Totals | None = field(default=None, init=False, repr=False, compare=False)

    def _gate_of(self, violation: Violation, fail_on: Severity | None) -> tuple[str, Severity | None]:
        info = self.policies.get(violation.policy_id)
        source = info.source if info is not None else ""
        if source in self.gates:
            return source, self.gates[source]
        return "", fail_on

    def tripped(
        self,
        fail_on: Severity | None = Severity.HIGH,
        fail_on_cost: float | None = None,
        fail_on_unevaluated: bool = False,
    ) -> list[str]:
        """Which thresholds the result trips, in words (``2 violations at or above high
        (--fail-on)``); empty when it passes them all."""
        by_severity: dict[tuple[str, Severity], int] = {}
        over_cost = 0
        for violation in self.violations:
            source, threshold = self._gate_of(violation, fail_on)
            if threshold is not None and violation.severity >= threshold:
                by_severity[source, threshold] = by_severity.get((source, threshold), 0) + 1
            elif (
                not source
                and fail_on_cost is not None
                and violation.cost is not None
                and violation.cost.monthly_impact >= fail_on_cost
            ):
                over_cost += 1
        said = []
        for (source, threshold), count in sorted(by_severity.items()):
            what = f"{source.capitalize()} finding" if source else "violation"
            flag = f"--{source}-fail-on" if source else "--fail-on"
            said.append(f"{count} {what}{'' if count == 1 else 's'} at or above {threshold.label} ({flag})")
        if over_cost:
            plural = "" if over_cost == 1 else "s"
            said.append(f"{over_cost} violation{plural} of ${fail_on_cost:,.2f}/month or more (--fail-on-cost)")
        if fail_on_unevaluated and self.not_evaluated:
            said.append(f"{len(self.not_evaluated)} not evaluated (--fail-on-unevaluated)")
        return said

    @property
    def coverage(self) -> Coverage:
        unpriced = tuple(w for w in self.warnings if w.message.startswith("not priced: "))
        return Coverage(
            documents=len(self.inputs),
            skipped=self.skipped,
            resources=len(self.resources),
            priced=len(self.costs),
            unpriced=unpriced,
            not_evaluated=self.not_evaluated,
        )

    @property
    def totals(self) -> Totals:
        """The headline figures, summed once (every report reads them)."""
        if self._totals is None:
            object.__setattr__(self, "_totals", self._sum())
        assert self._totals is not None
        return self._totals

    def _sum(self) -> Totals:
        by_severity = {s.label: 0 for s in Severity}
        at_stake: dict[str, float] = {}
        savings: dict[str, float] = {}
        losses: dict[str, float] = {}
        for violation in self.violations:  # each quantity once per resource, whatever the order
            by_severity[violation.severity.label] += 1
            if violation.cost is None:
                continue
            key = violation.resource_key
            at_stake[key] = max(at_stake.get(key, 0.0), violation.cost.spend_at_stake)
            savings[key] = max(savings.get(key, 0.0), violation.cost.monthly_savings)
            losses[key] = max(losses.get(key, 0.0), violation.cost.expected_loss)
        return Totals(
            resources=len(self.resources),
            violations=len(self.violations),
            by_severity=by_severity,
            monthly_cost=_cents(cost.monthly_cost for cost in self.costs.values()),
            monthly_cost_at_stake=_cents(at_stake.values()),
            monthly_savings=_cents(savings.values()),
            expected_loss=_cents(losses.values()),
        )

    def exit_code(
        self,
        fail_on: Severity | None = Severity.HIGH,
        fail_on_cost: float | None = None,
        fail_on_unevaluated: bool = False,
    ) -> int:
        """0 clean, 1 a violation reaches ``fail_on`` or ``fail_on_cost`` (or, with
        ``fail_on_unevaluated``, anything was not evaluated), 2 errors.

        ``fail_on=None`` never fails on severity.
        """
        if self.errors:
            return 2
        return int(bool(self.tripped(fail_on, fail_on_cost, fail_on_unevaluated)))
