"""Arguments several commands share, defined once, and the one way flags become ``Overrides``."""

from __future__ import annotations

import argparse
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from costwarden import cli
from costwarden.cli.world import World
from costwarden.engine.options import ScanOptions
from costwarden.engine.prepare import Overrides, prepare
from costwarden.errors import CostwardenError
from costwarden.loaders import LOADERS
from costwarden.model import Severity

FAIL_ON_CHOICES = [s.label for s in Severity] + ["never"]
EXIT_CODES = cli.EXIT_CODES


@dataclass(frozen=True)
class OutputSpec:
    format: str
    path: Path | None


def output_spec(text: str) -> OutputSpec:
    """``FORMAT[=FILE]``; an unknown format is reported when the reports are written, so the
    other outputs of the run still are."""
    name, _, target = text.partition("=")
    return OutputSpec(name, Path(target) if target else None)


def add_outputs(parser: argparse.ArgumentParser, formats: str, terminal: str) -> None:
    """``-o FORMAT[=FILE]`` (repeatable) and ``--quiet``, as ``scan`` and ``cost`` both take them."""
    parser.add_argument(
        "-o",
        "--output",
        type=output_spec,
        action="append",
        metavar="FORMAT[=FILE]",
        help=(
            f"report format ({formats}), to FILE or stdout; repeatable. "
            f"When every -o names a FILE, the terminal report ({terminal}) is still printed unless --quiet"
        ),
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="with -o FORMAT=FILE only: print no report to the terminal"
    )


def add_color(parser: argparse.ArgumentParser) -> None:
    color = parser.add_mutually_exclusive_group()
    color.add_argument("--color", dest="color", action="store_true", default=None)
    color.add_argument("--no-color", dest="color", action="store_false")


def with_terminal(outputs: list[OutputSpec], terminal: str, quiet: bool) -> list[OutputSpec]:
    """The outputs asked for, and the terminal report too when every one names a file (unless
    ``--quiet``): files are written, and the terminal still sees the verdict."""
    if all(o.path is not None for o in outputs) and not quiet:
        return [*outputs, OutputSpec(terminal, None)]
    return outputs


def deliver(render: Callable[[TextIO], None], spec: OutputSpec, world: World) -> None:
    """A report rendered to stdout whole (or not at all), or streamed into its file. A regular
    file is written beside its target and renamed into place, so a report that fails leaves
    no partial file; a device or pipe (``/dev/null``, ``/dev/stdout``) is written directly."""
    if spec.path is None:
        buffer = io.StringIO()
        render(buffer)
        world.stdout.write(buffer.getvalue())
        return
    target = world.path(spec.path)
    direct = target.exists() and not target.is_file()
    partial = target if direct else target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            render(handle)
        if not direct:
            partial.replace(target)
    except OSError as exc:
        _discard(partial, direct)
        raise CostwardenError(f"cannot write report: {exc.strerror}", path=spec.path) from None
    except BaseException:
        _discard(partial, direct)
        raise


def _discard(partial: Path, direct: bool) -> None:
    if not direct:
        partial.unlink(missing_ok=True)


def usd(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an amount in USD: {text!r}") from None
    if value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"not a finite amount: {text!r}")
    if value < 0:
        raise argparse.ArgumentTypeError("must be zero or more")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def input_path(text: str) -> str:
    if not text:
        raise argparse.ArgumentTypeError("an empty path names no input")
    return text


def variable(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` as Terraform's ``-var`` takes it."""
    name, equals, value = text.partition("=")
    if not equals or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name):
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-c", "--config", type=Path, help="config file (default: discovered in .)")
    parser.add_argument(
        "--no-config-discovery",
        action="store_true",
        help="read no .costwarden.yaml or waivers file from the folder (scanning an untrusted pull request)",
    )


def add_inputs(parser: argparse.ArgumentParser, *, paths: bool = True) -> None:
    """What is scanned and how it is priced: paths, format, usage, .tf folder, catalog, config."""
    if paths:
        parser.add_argument(
            "paths", nargs="+", type=input_path, metavar="PATH", help="files, directories, or - for stdin"
        )
        parser.add_argument("--max-input-bytes", type=int, metavar="N", help="the largest input read (512 MiB)")
        parser.add_argument(
            "-j",
            "--jobs",
            type=_jobs,
            metavar="N",
            help="processes reading files (default: one per core; 1: this one only); the result is the same",
        )
        parser.add_argument(
            "--format",
            type=_formats,
            metavar="FORMAT[,FORMAT]",
            help=f"read every input as this format ({', '.join(sorted(LOADERS))}); with --skip-unrecognized, "
            "the formats to read, other files skipped",
        )
        parser.add_argument(
            "--skip-unrecognized",
            action="store_true",
            help="a named file that is no input costwarden reads (or not of --format) is skipped and counted, "
            "not an error (pre-commit hooks)",
        )
        parser.add_argument("--tf-dir", type=Path, help="the .tf files a plan was made from (default: beside it)")
        parser.add_argument(
            "--var-file",
            action="append",
            type=Path,
            metavar="FILE",
            help="Terraform variables for .tf files (repeatable)",
        )
        parser.add_argument(
            "--var", action="append", type=variable, metavar="NAME=VALUE", help="a Terraform variable (repeatable)"
        )
        parser.add_argument("--workspace", metavar="NAME", help="terraform.workspace (default: TF_WORKSPACE, default)")
    add_config(parser)
    parser.add_argument("--usage-file", type=Path, help="hours, runs and instance-hours per resource")
    parser.add_argument("--catalog", type=Path, metavar="DIR", help="price catalog directory (default: shipped)")
    parser.add_argument(
        "--price-fallback-region",
        metavar="REGION",
        help="price an EC2 type with no price in its region at this region's rate (said in the basis)",
    )


def add_gate(parser: argparse.ArgumentParser, *, what: str = "exit 1") -> None:
    parser.add_argument("--fail-on", choices=FAIL_ON_CHOICES, help=f"{what} at this severity (default: high)")
    parser.add_argument("--fail-on-cost", type=usd, metavar="USD", help=f"{what} at this monthly impact")
    parser.add_argument(
        "--fail-on-unevaluated",
        action="store_const",
        const=True,
        help=f"{what} when an accelerator workload or a module could not be evaluated",
    )


def add_suppressions(parser: argparse.ArgumentParser, *, baseline: bool = True) -> None:
    group = parser.add_argument_group("suppressions")
    group.add_argument("--waivers", type=Path, help="waivers file (default: .costwarden-waivers.yaml, if present)")
    group.add_argument("--no-suppress", action="store_true", help="count every violation, as if nothing were waived")
    if baseline:
        group.add_argument("--baseline", type=Path, help="fail only on violations not in this baseline file")
    group.add_argument("--changed-only", action="store_true", help="plans: only resources created, updated, replaced")


def add_policies(parser: argparse.ArgumentParser) -> None:
    rego = parser.add_argument_group("policies")
    rego.add_argument(
        "--check", action="append", default=[], metavar="IDS", help="only these policies: ids or names, globs (CW3*)"
    )
    rego.add_argument("--skip-check", action="append", default=[], metavar="IDS", help="not these policies (globs)")
    rego.add_argument("-p", "--policy", type=Path, action="append", default=[], help="user policies (.py, .rego)")
    rego.add_argument("--rego-engine", choices=["embedded", "opa"], help="embedded (regorus) or an OPA server")
    rego.add_argument("--opa-url", help="OPA's base URL (with --rego-engine opa)")
    rego.add_argument("-n", "--namespace", action="append", help="Rego packages to run (default: main)")
    rego.add_argument("--all-namespaces", action="store_const", const=True, help="run every package")
    rego.add_argument("-d", "--data", type=Path, action="append", default=[], help="data document (JSON, YAML)")
    rego.add_argument("--rego-input", choices=["normalized", "raw"], help="input.resources or each document")
    rego.add_argument("--combine", action="store_const", const=True, help="raw: all documents in one input")
    rego.add_argument("--builtin-rego", action="store_const", const=True, help="run the built-in Rego pack")
    rego.add_argument("--rego-timeout", type=float, help="seconds a rule may run (default 10)")
    checkov = parser.add_argument_group("checkov (security checks in the same gate)")
    checkov.add_argument("--checkov", action="store_const", const=True, help="also run Checkov's checks")
    checkov.add_argument("--checkov-bin", type=Path, help="the checkov executable (default: beside costwarden, PATH)")
    checkov.add_argument("--checkov-check", action="append", default=[], metavar="IDS", help="only these CKV_* ids")
    checkov.add_argument("--checkov-skip-check", action="append", default=[], metavar="IDS", help="not these ids")
    checkov.add_argument(
        "--checkov-fail-on",
        choices=FAIL_ON_CHOICES,
        help="exit 1 on Checkov findings at this severity (default: --fail-on)",
    )
    checkov.add_argument(
        "--checkov-external-checks-dir", type=Path, action="append", default=[], help="custom Python/YAML checks"
    )
    checkov.add_argument("--checkov-severity", metavar="SEVERITY", help="for checks without one (default: high)")


def add_measured(parser: argparse.ArgumentParser) -> None:
    measured = parser.add_argument_group("measured utilization")
    measured.add_argument("--metrics-file", type=Path, help="CSV or JSON utilization per resource")
    measured.add_argument("--cloudwatch-region", help="read CloudWatch (CWAgent NVIDIA, SageMaker) in this region")
    measured.add_argument("--cloudwatch-endpoint", help="CloudWatch endpoint URL (a proxy or VPC endpoint)")
    measured.add_argument("--prometheus-url", help="Prometheus with DCGM exporter metrics")
    measured.add_argument("--metrics-window", type=float, help="hours to look back (default 168)")


def _formats(text: str) -> str:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in LOADERS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(unknown) or text!r} (one of: {', '.join(sorted(LOADERS))})"
        )
    return ",".join(names)


def _ids(given: list[str]) -> list[str]:
    return [i.strip() for item in given for i in item.split(",") if i.strip()]


def _given(section: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in section.items() if value not in (None, [], ())}


def settings(args: argparse.Namespace, world: World) -> dict[str, Any]:
    """Flags that stand for config keys, as config keys (paths made absolute)."""
    flag = vars(args).get
    found: dict[str, Any] = _given(
        {
            "fail_on": flag("fail_on"),
            "fail_on_cost": flag("fail_on_cost"),
            "fail_on_unevaluated": flag("fail_on_unevaluated"),
            "max_input_bytes": flag("max_input_bytes"),
            "checks": _ids(flag("check") or []),
            "skip_checks": _ids(flag("skip_check") or []),
        }
    )
    rego = _given(
        {
            "engine": flag("rego_engine"),
            "opa_url": flag("opa_url"),
            "namespaces": flag("namespace"),
            "all_namespaces": flag("all_namespaces"),
            "input": flag("rego_input"),
            "combine": flag("combine"),
            "builtin": flag("builtin_rego"),
            "timeout_seconds": flag("rego_timeout"),
        }
    )
    metrics_file = flag("metrics_file")
    metrics = _given(
        {
            "file": str(world.path(metrics_file)) if metrics_file else None,
            "cloudwatch_region": flag("cloudwatch_region"),
            "cloudwatch_endpoint": flag("cloudwatch_endpoint"),
            "prometheus_url": flag("prometheus_url"),
            "window_hours": flag("metrics_window"),
        }
    )
    binary = flag("checkov_bin")
    checkov = _given(
        {
            "enabled": flag("checkov"),
            "binary": str(world.path(binary)) if binary else None,
            "checks": _ids(flag("checkov_check") or []),
            "skip_checks": _ids(flag("checkov_skip_check") or []),
            "external_checks_dirs": [str(world.path(d)) for d in flag("checkov_external_checks_dir") or []],
            "severity": flag("checkov_severity"),
            "fail_on": flag("checkov_fail_on"),
        }
    )
    for name, section in (("rego", rego), ("metrics", metrics), ("checkov", checkov)):
        if section:
            found[name] = section
    return found


def overrides(args: argparse.Namespace, world: World, *, policies: bool = True) -> Overrides:
    flag = vars(args).get
    return Overrides(
        settings=settings(args, world),
        policy_paths=tuple(flag("policy") or ()),
        data_files=tuple(flag("data") or ()),
        usage_file=flag("usage_file"),
        waivers_file=flag("waivers"),
        baseline_file=flag("baseline"),
        catalog_dir=flag("catalog"),
        price_fallback_region=flag("price_fallback_region"),
        tf_dir=flag("tf_dir"),
        var_files=tuple(flag("var_file") or ()),
        variables=dict(flag("var") or ()),
        workspace=flag("workspace"),
        input_format=flag("format"),
        skip_unrecognized=bool(flag("skip_unrecognized")),
        suppress=not flag("no_suppress"),
        changed_only=bool(flag("changed_only")),
        jobs=flag("jobs"),
        policies=policies,
        discover=not flag("no_config_discovery"),
    )


def prepared(args: argparse.Namespace, world: World, *, policies: bool = True, clock: bool = True) -> ScanOptions:
    """The scan these flags ask for, through ``prepare`` like every other shell.

    ``clock=False`` leaves expiry to the real clock at each scan (a long-running server)."""
    return prepare(
        args.config,
        overrides(args, world, policies=policies),
        cwd=world.cwd,
        environ=world.environ,
        today=world.today() if clock else None,
    )


def inputs(args: argparse.Namespace, world: World) -> list[str]:
    return [world.shown(path) for path in args.paths]
