"""``costwarden cost``: what a change will cost per month, per resource, team and service.

Rows are rounded to cents first and every total is the sum of its rows, so a reader's sum
of the table always equals the total shown. Deleted resources appear as savings.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from rich.table import Table

from costwarden._version import __version__
from costwarden.escape import terminal as safe
from costwarden.model import Problem, Resource, ScanResult
from costwarden.policies.tagging import tag_value
from costwarden.reports.money import usd
from costwarden.reports.options import ReportOptions
from costwarden.reports.text import terminal

SCHEMA_VERSION = "1.0"
UNTAGGED = "(untagged)"


@dataclass(frozen=True)
class Row:
    address: str
    type: str
    action: str
    path: str
    line: int
    before: float
    after: float
    basis: str
    team: str
    service: str

    @property
    def change(self) -> float:
        return round(self.after - self.before, 2)


@dataclass(frozen=True)
class Group:
    name: str
    before: float
    after: float

    @property
    def change(self) -> float:
        return round(self.after - self.before, 2)


@dataclass(frozen=True)
class Breakdown:
    rows: tuple[Row, ...]
    by_team: tuple[Group, ...]
    by_service: tuple[Group, ...]
    total: Group
    unpriced: tuple[Problem, ...]
    catalog_version: str
    catalog_date: str
    inputs: tuple[str, ...]


def breakdown(result: ScanResult) -> Breakdown:
    rows = tuple(row for resource in result.resources if (row := _row(resource, result)) is not None)
    rows = tuple(sorted(rows, key=lambda r: (-max(r.after, r.before), r.address)))
    unpriced = tuple(w for w in result.warnings if w.message.startswith("not priced"))
    return Breakdown(
        rows=rows,
        by_team=_groups(rows, lambda r: r.team),
        by_service=_groups(rows, lambda r: r.service),
        total=_sum("total", rows),
        unpriced=unpriced,
        catalog_version=result.catalog.version,
        catalog_date=result.catalog.date,
        inputs=result.inputs,
    )


def _row(resource: Resource, result: ScanResult) -> Row | None:
    after = result.costs.get(resource.key)
    before = result.costs_before.get(resource.key)
    if after is None and before is None:
        return None
    after_cost = 0.0 if after is None or not resource.exists_after else after.monthly_cost
    before_cost = 0.0 if before is None or resource.action == "create" else before.monthly_cost
    basis = after.basis if after is not None and resource.exists_after else (before.basis if before else "")
    return Row(
        address=resource.address,
        type=resource.type,
        action=resource.action,
        path=resource.location.path,
        line=resource.location.line,
        before=round(before_cost, 2),
        after=round(after_cost, 2),
        basis=basis,
        team=tag_value(resource, "finops:team")[1] or UNTAGGED,
        service=tag_value(resource, "finops:service")[1] or UNTAGGED,
    )


def _sum(name: str, rows: Iterable[Row]) -> Group:
    rows = list(rows)
    return Group(name, round(sum(r.before for r in rows), 2), round(sum(r.after for r in rows), 2))


def _groups(rows: tuple[Row, ...], key: Any) -> tuple[Group, ...]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    groups = [_sum(name, members) for name, members in grouped.items()]
    return tuple(sorted(groups, key=lambda g: (-g.after, g.name)))


def render_json(data: Breakdown, stream: TextIO) -> None:
    def group(g: Group) -> dict[str, Any]:
        return {"name": g.name, "monthly_before": g.before, "monthly_after": g.after, "monthly_change": g.change}

    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "costwarden", "version": __version__},
        "catalog": {"version": data.catalog_version, "date": data.catalog_date},
        "inputs": list(data.inputs),
        "currency": "USD",
        "resources": [
            {
                "address": r.address,
                "type": r.type,
                "action": r.action,
                "location": {"path": r.path, "line": r.line},
                "monthly_before": r.before,
                "monthly_after": r.after,
                "monthly_change": r.change,
                "team": r.team,
                "service": r.service,
                "basis": r.basis,
            }
            for r in data.rows
        ],
        "by_team": [group(g) for g in data.by_team],
        "by_service": [group(g) for g in data.by_service],
        "total": group(data.total),
        "unpriced": [
            {"address": p.address, "path": p.path, "line": p.line, "reason": p.message} for p in data.unpriced
        ],
    }
    json.dump(document, stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def render_text(data: Breakdown, stream: TextIO, options: ReportOptions) -> None:
    console = terminal(stream, options)
    console.print(
        safe(f"costwarden {__version__} · monthly cost · catalog {data.catalog_version} ({data.catalog_date})")
    )
    table = Table(show_edge=False, pad_edge=False, expand=True)
    table.add_column("Resource", overflow="fold", ratio=1)
    table.add_column("Action", no_wrap=True)
    for title in ("Before", "After", "Change"):
        table.add_column(title, justify="right", no_wrap=True)
    for row in data.rows:
        table.add_row(safe(row.address), safe(row.action), usd(row.before), usd(row.after), _signed(row.change))
    table.add_section()
    total = f"Total (of which {len(data.unpriced)} not priced)" if data.unpriced else "Total"
    table.add_row(total, "", usd(data.total.before), usd(data.total.after), _signed(data.total.change))
    console.print(table)
    for title, groups in (("finops:team", data.by_team), ("finops:service", data.by_service)):
        grouped = Table(show_edge=False, pad_edge=False, title=f"By {title}", title_justify="left")
        grouped.add_column(title)
        for heading in ("Before", "After", "Change"):
            grouped.add_column(heading, justify="right")
        for g in groups:
            grouped.add_row(safe(g.name), usd(g.before), usd(g.after), _signed(g.change))
        console.print()
        console.print(grouped)
    if data.unpriced:
        console.print(f"\nNot priced ({len(data.unpriced)}):")
        for problem in data.unpriced:
            console.print(safe(f"  {problem}"))


def _signed(amount: float) -> str:
    if amount == 0:
        return "$0.00"
    return f"+{usd(amount)}" if amount > 0 else f"-{usd(-amount)}"
