"""``costwarden cost``: what a change will cost per month, per resource, team and service.

Rows are rounded to cents first and every total is the sum of its rows, so a reader's sum
of the table always equals the total shown. Deleted resources appear as savings.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from rich.table import Table

from costwarden import jsonio
from costwarden._version import __version__
from costwarden.errors import ConfigError
from costwarden.escape import markdown as escape_markdown
from costwarden.escape import markdown_code
from costwarden.escape import terminal as safe
from costwarden.model import CostComponent, Problem, Resource, ScanResult
from costwarden.policies.tagging import tag_value
from costwarden.reports.money import usd
from costwarden.reports.options import ReportOptions
from costwarden.reports.text import terminal

SCHEMA_VERSION = "1.1"  # 1.1: components per resource, base report
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
    components: tuple[CostComponent, ...] = ()

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
    base: str | None = None
    """``--diff-base``: the earlier ``cost -o json`` report the "before" column comes from."""


def breakdown(result: ScanResult, base: Mapping[str, float] | None = None, base_name: str | None = None) -> Breakdown:
    """The change's monthly cost; with ``base`` (address -> monthly cost of an earlier report),
    "before" is that report's figure, as Infracost's ``diff`` against a baseline."""
    rows = tuple(row for resource in result.resources if (row := _row(resource, result)) is not None)
    if base is not None:
        seen = {r.address for r in rows}
        rows = tuple(dataclasses.replace(r, before=round(base.get(r.address, 0.0), 2)) for r in rows)
        rows += tuple(
            Row(
                address,
                "",
                "delete",
                "",
                0,
                round(cost, 2),
                0.0,
                "in the base report, not in this one",
                UNTAGGED,
                UNTAGGED,
            )
            for address, cost in sorted(base.items())
            if address not in seen
        )
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
        base=base_name,
    )


def load_base(path: Path) -> dict[str, float]:
    """Address -> monthly cost, from an earlier ``costwarden cost -o json`` report."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return {str(r["address"]): float(r["monthly_after"]) for r in document["resources"]}
    except OSError as exc:
        raise ConfigError(f"cannot read the base report: {exc.strerror}", path=path) from None
    except (ValueError, KeyError, TypeError):
        raise ConfigError("not a costwarden cost JSON report (costwarden cost -o json)", path=path) from None


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
        components=after.components if after is not None and resource.exists_after else (),
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
        "base": data.base,
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
                "components": [
                    {
                        "name": c.name,
                        "quantity": round(c.quantity, 4),
                        "unit": c.unit,
                        "unit_price": c.unit_price,
                        "monthly_cost": round(c.monthly_cost, 2),
                    }
                    for c in r.components
                ],
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
    jsonio.write(document, stream)


def render_text(data: Breakdown, stream: TextIO, options: ReportOptions) -> None:
    console = terminal(stream, options)
    console.print(
        safe(f"costwarden {__version__} · monthly cost · catalog {data.catalog_version} ({data.catalog_date})")
        + (safe(f" · before: {data.base}") if data.base else "")
    )
    table = Table(show_edge=False, pad_edge=False, expand=True)
    table.add_column("Resource", overflow="fold", ratio=1)
    table.add_column("Action", no_wrap=True)
    for title in ("Before", "After", "Change"):
        table.add_column(title, justify="right", no_wrap=True)
    for row in data.rows:
        table.add_row(safe(row.address), safe(row.action), usd(row.before), usd(row.after), _signed(row.change))
        if options.verbose:  # --breakdown: Infracost's quantity x unit price lines
            for c in row.components:
                price = f"{c.unit_price:,.6f}".rstrip("0").rstrip(".")
                line = f"  └ {c.name}: {c.quantity:,.6g} {c.unit} x ${price}"
                table.add_row(safe(line), "", "", usd(c.monthly_cost), "", style="dim")
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


def render_markdown(data: Breakdown, stream: TextIO) -> None:
    """A PR comment: the total, then one row per resource, every value escaped for Markdown."""
    stream.write(f"## costwarden: {_signed(data.total.change)}/month ({usd(data.total.after)}/month after)\n\n")
    stream.write("| Resource | Action | Before | After | Change |\n| --- | --- | ---: | ---: | ---: |\n")
    for r in data.rows:
        cells = (markdown_code(r.address), escape_markdown(r.action), usd(r.before), usd(r.after), _signed(r.change))
        stream.write("| " + " | ".join(cells) + " |\n")
    total = f"Total (of which {len(data.unpriced)} not priced)" if data.unpriced else "Total"
    stream.write(
        f"| **{total}** | | {usd(data.total.before)} | {usd(data.total.after)} | {_signed(data.total.change)} |\n"
    )
    if data.unpriced:
        stream.write("\nNot priced:\n\n")
        for problem in data.unpriced:
            stream.write(f"- {escape_markdown(str(problem))}\n")
    stream.write(
        f"\n<sub>catalog {escape_markdown(data.catalog_version)} ({escape_markdown(data.catalog_date)})</sub>\n"
    )
