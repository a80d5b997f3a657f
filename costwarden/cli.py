"""The command line: a thin shell over ``costwarden.scan``.

costwarden scan PATH... [-o FORMAT[=FILE]]... [--fail-on SEVERITY] [--fail-on-cost USD]
costwarden policies
costwarden config schema
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

from costwarden._version import __version__
from costwarden.config import Config, config_schema, find_config, load_config
from costwarden.engine import policy_setup
from costwarden.engine.scan import scan
from costwarden.errors import ConfigError, CostwardenError
from costwarden.gcpause import gc_paused
from costwarden.integrations import github
from costwarden.integrations.checkov import CheckovOptions, find_checkov
from costwarden.loaders import LOADERS
from costwarden.metrics.base import MetricsSource
from costwarden.metrics.cloudwatch import CloudWatchSource
from costwarden.metrics.file import FileSource, export
from costwarden.metrics.prometheus import PrometheusSource
from costwarden.model import Problem, ScanResult, Severity
from costwarden.policies import BUILTIN
from costwarden.policies.base import Policy
from costwarden.pricing.catalog import Catalog, load_catalog
from costwarden.pricing.update import AZURE_PRICES_URL, UpdateRequest, update
from costwarden.pricing.usage import UsageFile, load_usage
from costwarden.rego.run import RegoOptions
from costwarden.rego.testing import run_tests
from costwarden.reports import REPORTERS, ReportOptions
from costwarden.reports.cost import breakdown, render_json, render_text
from costwarden.reports.diff import diff_against
from costwarden.runtask import serve
from costwarden.suppress.apply import SuppressOptions
from costwarden.suppress.baseline import entries as baseline_entries
from costwarden.suppress.baseline import load_baseline, write_baseline
from costwarden.suppress.waivers import Waiver, load_waivers

FAIL_ON_CHOICES = [s.label for s in Severity] + ["never"]


@dataclass(frozen=True)
class World:
    """Everything outside the process that the CLI touches, passed in so tests can set it."""

    stdout: TextIO
    stderr: TextIO
    stdin: BinaryIO
    environ: Mapping[str, str]
    cwd: Path
    today: Callable[[], dt.date] = dt.date.today


@dataclass(frozen=True)
class OutputSpec:
    format: str
    path: Path | None


def _output(text: str) -> OutputSpec:
    """``FORMAT[=FILE]``; an unknown format is reported when the reports are written, so the
    other outputs of the run still are."""
    name, _, target = text.partition("=")
    return OutputSpec(name, Path(target) if target else None)


def _usd(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an amount in USD: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be zero or more")
    return value


def _measured_arguments(parser: argparse.ArgumentParser) -> None:
    measured = parser.add_argument_group("measured utilization")
    measured.add_argument("--metrics-file", type=Path, help="CSV or JSON utilization per resource")
    measured.add_argument("--cloudwatch-region", help="read CloudWatch (CWAgent NVIDIA, SageMaker) in this region")
    measured.add_argument("--cloudwatch-endpoint", help="CloudWatch endpoint URL (a proxy or VPC endpoint)")
    measured.add_argument("--prometheus-url", help="Prometheus with DCGM exporter metrics")
    measured.add_argument("--metrics-window", type=float, help="hours to look back (default 168)")


def _policy_arguments(parser: argparse.ArgumentParser) -> None:
    rego = parser.add_argument_group("policies")
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


def _checkov_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("checkov (security checks in the same gate)")
    group.add_argument("--checkov", action="store_true", help="also run Checkov's checks on the same inputs")
    group.add_argument("--checkov-bin", type=Path, help="the checkov executable (default: beside costwarden, or PATH)")
    group.add_argument("--checkov-check", action="append", default=[], metavar="IDS", help="only these CKV_* ids")
    group.add_argument("--checkov-skip-check", action="append", default=[], metavar="IDS", help="not these ids")
    group.add_argument(
        "--checkov-external-checks-dir", type=Path, action="append", default=[], help="custom Python/YAML checks"
    )
    group.add_argument(
        "--checkov-severity", default="high", metavar="SEVERITY", help="for checks without one (default: high)"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="costwarden",
        description="FinOps policy-as-code for AI workloads: every violation priced per month.",
    )
    parser.add_argument("--version", action="version", version=f"costwarden {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("scan", help="scan plans and manifests against the policies")
    run.add_argument("paths", nargs="+", metavar="PATH", help="files, directories, or - for stdin")
    run.add_argument("-c", "--config", type=Path, help="config file (default: discovered in .)")
    run.add_argument("--format", choices=sorted(LOADERS), help="read every input as this format")
    run.add_argument(
        "-o",
        "--output",
        type=_output,
        action="append",
        metavar="FORMAT[=FILE]",
        help=f"report format ({', '.join(sorted(REPORTERS))}, or auto), to FILE or stdout; repeatable",
    )
    run.add_argument("--fail-on", choices=FAIL_ON_CHOICES, help="exit 1 at this severity (high)")
    run.add_argument("--fail-on-cost", type=_usd, metavar="USD", help="exit 1 at this monthly impact")
    run.add_argument("--all", action="store_true", help="text: list every violation")
    run.add_argument("--template", type=Path, help="markdown: a Jinja2 template in place of the built-in one")
    run.add_argument("--diff-base", type=Path, metavar="REPORT", help="show only violations new since this JSON report")
    run.add_argument("--usage-file", type=Path, help="hours, runs and instance-hours per resource")
    run.add_argument("--tf-dir", type=Path, help="the .tf files a plan was made from (default: beside the plan)")
    waive = run.add_argument_group("suppressions")
    waive.add_argument("--waivers", type=Path, help="waivers file (default: .costwarden-waivers.yaml, if present)")
    waive.add_argument("--no-suppress", action="store_true", help="count every violation, as if nothing were waived")
    waive.add_argument("--baseline", type=Path, help="fail only on violations not in this baseline file")
    waive.add_argument("--changed-only", action="store_true", help="plans: only resources created, updated, replaced")
    _policy_arguments(run)
    _checkov_arguments(run)
    _measured_arguments(run)
    run.add_argument("--catalog", type=Path, metavar="DIR", help="price catalog directory (default: shipped)")
    color = run.add_mutually_exclusive_group()
    color.add_argument("--color", dest="color", action="store_true", default=None)
    color.add_argument("--no-color", dest="color", action="store_false")

    baseline = commands.add_parser("baseline", help="record today's violations so only new ones fail")
    baseline_commands = baseline.add_subparsers(dest="baseline_command", required=True, metavar="ACTION")
    creator = baseline_commands.add_parser("create", help="scan and write the violations found to a baseline file")
    creator.add_argument("paths", nargs="+", metavar="PATH", help="files, directories, or - for stdin")
    creator.add_argument("--out", type=Path, default=Path(".costwarden-baseline.json"), help="the baseline file")
    creator.add_argument("-c", "--config", type=Path, help="config file (default: discovered in .)")
    creator.add_argument("--format", choices=sorted(LOADERS), help="read every input as this format")
    creator.add_argument("--usage-file", type=Path, help="hours, runs and instance-hours per resource")
    creator.add_argument("--tf-dir", type=Path, help="the .tf files a plan was made from (default: beside the plan)")
    creator.add_argument("--waivers", type=Path, help="waivers file (default: .costwarden-waivers.yaml, if present)")
    creator.add_argument("--no-suppress", action="store_true", help="record waived violations too")
    creator.add_argument("--changed-only", action="store_true", help="plans: only resources created, updated, replaced")
    creator.add_argument("--catalog", type=Path, metavar="DIR", help="price catalog directory (default: shipped)")
    _policy_arguments(creator)
    _checkov_arguments(creator)
    _measured_arguments(creator)

    cost = commands.add_parser("cost", help="what the change costs per month: per resource, team, service")
    cost.add_argument("paths", nargs="+", metavar="PATH", help="files, directories, or - for stdin")
    cost.add_argument("-c", "--config", type=Path, help="config file (default: discovered in .)")
    cost.add_argument("--format", choices=sorted(LOADERS), help="read every input as this format")
    cost.add_argument("-o", "--output", choices=["text", "json"], default="text", help="report format")
    cost.add_argument("--usage-file", type=Path, help="hours, runs and instance-hours per resource")
    cost.add_argument("--tf-dir", type=Path, help="the .tf files a plan was made from (default: beside the plan)")
    cost.add_argument("--catalog", type=Path, metavar="DIR", help="price catalog directory (default: shipped)")

    prices = commands.add_parser("prices", help="price catalogs")
    price_commands = prices.add_subparsers(dest="prices_command", required=True, metavar="ACTION")
    updater = price_commands.add_parser("update", help="write a new dated catalog from the providers' price APIs")
    updater.add_argument("--out", type=Path, required=True, help="directory for the new catalog files")
    updater.add_argument("--aws-region", action="append", default=[], help="AWS region to fetch (repeatable)")
    updater.add_argument("--azure-region", action="append", default=[], help="Azure region to fetch (repeatable)")
    updater.add_argument("--aws-pricing-endpoint", help="Price List API endpoint (a mirror or proxy)")
    updater.add_argument("--aws-ec2-endpoint", help="EC2 API endpoint (a mirror or proxy)")
    updater.add_argument("--azure-url", default=AZURE_PRICES_URL, help="Azure Retail Prices API URL")

    tester = commands.add_parser("test", help="run Rego (*_test.rego) and Python policy tests")
    tester.add_argument("paths", nargs="*", type=Path, metavar="DIR", help="policy directories (default: .)")
    tester.add_argument("--threshold", type=float, default=0.0, help="fail below this Rego line coverage (percent)")
    tester.add_argument("--no-python", action="store_true", help="run only the Rego tests")

    metrics = commands.add_parser("metrics", help="measured utilization")
    metric_commands = metrics.add_subparsers(dest="metrics_command", required=True, metavar="ACTION")
    exporter = metric_commands.add_parser("export", help="write what a source measures as a metrics file (CSV)")
    exporter.add_argument("paths", nargs="+", metavar="PATH", help="the inputs whose resources to measure")
    exporter.add_argument("-c", "--config", type=Path, help="config file (default: discovered in .)")
    exporter.add_argument("--out", type=Path, help="the CSV file to write (default: stdout)")
    _measured_arguments(exporter)

    server = commands.add_parser("serve", help="an HCP Terraform / Terraform Enterprise run task server")
    server.add_argument("-c", "--config", type=Path, help="config file (default: discovered in .)")
    server.add_argument("--fail-on", choices=FAIL_ON_CHOICES, help="fail mandatory tasks at this severity (high)")
    server.add_argument("--fail-on-cost", type=_usd, metavar="USD", help="fail tasks at this monthly impact")
    server.set_defaults(usage_file=None)
    serve.add_arguments(server)
    _policy_arguments(server)
    _checkov_arguments(server)

    commands.add_parser("github-action", help="the GitHub Action's scan step (reads INPUT_* and GITHUB_* variables)")

    commands.add_parser("policies", help="list the built-in policies")
    config = commands.add_parser("config", help="configuration helpers")
    config_commands = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    config_commands.add_parser("schema", help="print the JSON Schema of .costwarden.yaml")
    return parser


def main(argv: Sequence[str] | None = None, world: World | None = None) -> int:
    world = world or World(sys.stdout, sys.stderr, sys.stdin.buffer, os.environ, Path.cwd())
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.command == "scan":
            return _scan(args, world)
        if args.command == "policies":
            return _policies(world)
        if args.command == "cost":
            return _cost(args, world)
        if args.command == "prices":
            return _prices_update(args, world)
        if args.command == "test":
            return _test(args, world)
        if args.command == "metrics":
            return _metrics_export(args, world)
        if args.command == "baseline":
            return _baseline_create(args, world)
        if args.command == "serve":
            return _serve(args, world)
        if args.command == "github-action":
            return _github_action(world)
        json.dump(config_schema(), world.stdout, indent=2)
        world.stdout.write("\n")
        return 0
    except CostwardenError as exc:
        print(f"costwarden: error: {exc}", file=world.stderr)
        return 2
    except BrokenPipeError:  # `costwarden ... | head`: the reader left, nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _metrics(args: argparse.Namespace, world: World, config: Config) -> list[MetricsSource]:
    settings = config.metrics
    window = args.metrics_window or settings.window_hours
    sources: list[MetricsSource] = []
    if args.metrics_file is not None:
        sources.append(FileSource(Path(_resolve(str(args.metrics_file), world))))
    elif settings.file:
        sources.append(FileSource(_config_dir(args, world) / settings.file))
    region = args.cloudwatch_region or settings.cloudwatch_region
    if region:
        sources.append(CloudWatchSource(region, window, args.cloudwatch_endpoint, settings.timeout_seconds))
    url = args.prometheus_url or settings.prometheus_url
    if url:
        sources.append(
            PrometheusSource(
                url, window, request_rate_query=settings.request_rate_query, timeout=settings.timeout_seconds
            )
        )
    return sources


def _config_dir(args: argparse.Namespace, world: World) -> Path:
    """Paths in the config are relative to the config file's folder."""
    config_path = args.config or find_config(world.cwd)
    if config_path is None:
        return world.cwd
    return (config_path if config_path.is_absolute() else world.cwd / config_path).parent


def _policy_setup(args: argparse.Namespace, world: World, config: Config) -> tuple[list[Policy], RegoOptions]:
    config_dir = _config_dir(args, world)
    given = [p if p.is_absolute() else world.cwd / p for p in args.policy]
    data = [p if p.is_absolute() else world.cwd / p for p in args.data]
    overrides = {
        "engine": args.rego_engine,
        "opa_url": args.opa_url,
        "namespaces": args.namespace,
        "all_namespaces": args.all_namespaces,
        "input": args.rego_input,
        "combine": args.combine,
        "builtin": args.builtin_rego,
        "timeout_seconds": args.rego_timeout,
    }
    return policy_setup.build(config, config_dir, given, data, overrides)


def _config(args: argparse.Namespace, world: World) -> tuple[Config, UsageFile | None]:
    """The config (file, then command line) and the usage file it or the command line names."""
    path = args.config
    if path is not None and not path.is_absolute():
        path = world.cwd / path
    if path is not None and not path.is_file():
        raise ConfigError("config file not found", path=args.config)
    path = path or find_config(world.cwd)
    config = load_config(path, cwd=world.cwd)
    overrides: dict[str, object] = {}
    if getattr(args, "fail_on", None):
        overrides["fail_on"] = args.fail_on
    if getattr(args, "fail_on_cost", None) is not None:
        overrides["fail_on_cost"] = args.fail_on_cost
    if overrides:
        config = config.model_copy(update=overrides)
    usage_path = args.usage_file
    if usage_path is not None and not usage_path.is_absolute():
        usage_path = world.cwd / usage_path
    elif usage_path is None and config.usage_file:
        usage_path = (path.parent if path else world.cwd) / config.usage_file
    return config, load_usage(usage_path) if usage_path is not None else None


def _suppress_options(args: argparse.Namespace, world: World, config: Config) -> SuppressOptions:
    if args.no_suppress:
        return SuppressOptions(enabled=False)
    waivers_path = _given(args.waivers, world) if args.waivers else _config_dir(args, world) / config.waivers_file
    waivers: list[Waiver] = []
    problems: list[Problem] = []
    if args.waivers or waivers_path.is_file():
        waivers, problems = load_waivers(waivers_path)
    baseline_path = getattr(args, "baseline", None)
    baseline = load_baseline(_given(baseline_path, world)) if baseline_path else None
    return SuppressOptions(waivers=waivers, baseline=baseline, today=world.today(), problems=problems)


def _checkov_options(args: argparse.Namespace, world: World) -> CheckovOptions | None:
    if not args.checkov:
        return None
    try:
        severity = Severity.parse(args.checkov_severity)
    except ValueError as exc:
        raise ConfigError(f"--checkov-severity: {exc}") from None
    ids = [i.strip() for given in args.checkov_check for i in given.split(",") if i.strip()]
    skips = [i.strip() for given in args.checkov_skip_check for i in given.split(",") if i.strip()]
    for directory in args.checkov_external_checks_dir:
        if not _given(directory, world).is_dir():
            raise ConfigError("checks directory not found", path=directory)
    return CheckovOptions(
        binary=find_checkov(_given(args.checkov_bin, world) if args.checkov_bin else None, world.environ),
        checks=tuple(ids),
        skip_checks=tuple(skips),
        external_checks_dirs=tuple(_given(d, world) for d in args.checkov_external_checks_dir),
        default_severity=severity,
    )


def _given(path: Path, world: World) -> Path:
    return path if path.is_absolute() else world.cwd / path


def _run_scan(args: argparse.Namespace, world: World) -> tuple[Config, ScanResult]:
    config, usage = _config(args, world)
    policies, rego = _policy_setup(args, world, config)
    result = scan(
        [_resolve(path, world) for path in args.paths],
        config,
        input_format=args.format,
        stdin=world.stdin,
        usage=usage,
        catalog=_catalog(args, world),
        tf_dir=_tf_dir(args, world),
        policies=policies,
        rego=rego,
        metrics=_metrics(args, world, config),
        suppress=_suppress_options(args, world, config),
        changed_only=args.changed_only,
        checkov=_checkov_options(args, world),
    )
    return config, result


def _baseline_create(args: argparse.Namespace, world: World) -> int:
    _, result = _run_scan(args, world)
    for problem in result.errors:
        print(f"costwarden: error: {problem}", file=world.stderr)
    if result.errors:
        return 2
    found = baseline_entries(result.violations, {r.key: r for r in result.resources})
    write_baseline(_given(args.out, world), found)
    print(f"costwarden: wrote {len(found)} violations to {args.out}", file=world.stderr)
    return 0


def _scan(args: argparse.Namespace, world: World) -> int:
    config, result = _run_scan(args, world)
    at_stake_change = None
    if args.diff_base is not None:
        result, at_stake_change = diff_against(
            result, args.diff_base if args.diff_base.is_absolute() else world.cwd / args.diff_base
        )
    template = args.template if args.template is None or args.template.is_absolute() else world.cwd / args.template
    options = ReportOptions(
        fail_on=config.fail_on_severity,
        fail_on_cost=config.fail_on_cost,
        color=_color(args.color, world),
        width=_width(world),
        max_rows=None if args.all else 200,
        root=str(world.cwd),
        template=str(template) if template else None,
        at_stake_change=at_stake_change,
    )
    automatic = "github" if world.environ.get("GITHUB_ACTIONS") == "true" else "text"
    outputs = [
        OutputSpec(automatic, o.path) if o.format == "auto" else o for o in args.output or [OutputSpec("auto", None)]
    ]
    text_on_stdout = any(o.format == "text" and o.path is None for o in outputs)
    if not text_on_stdout:
        for problem in result.errors:
            print(f"costwarden: error: {problem}", file=world.stderr)
    with gc_paused():
        failures = _write_reports(result, outputs, options, world)
    for failure in failures:
        print(f"costwarden: error: {failure}", file=world.stderr)
    return 2 if failures else result.exit_code(config.fail_on_severity, config.fail_on_cost)


def _write_reports(
    result: ScanResult, outputs: list[OutputSpec], options: ReportOptions, world: World
) -> list[CostwardenError]:
    """Every output that can be written is; each one that cannot is an error, not a stop."""
    failures: list[CostwardenError] = []
    for spec in outputs:
        reporter = REPORTERS.get(spec.format)
        if reporter is None:
            known = ", ".join(sorted(REPORTERS))
            failures.append(CostwardenError(f"unknown output format {spec.format!r} (one of: {known}, auto)"))
            continue
        buffer = io.StringIO()
        try:
            reporter.render(result, buffer, options if spec.path is None else dataclasses.replace(options, color=False))
        except CostwardenError as exc:
            failures.append(exc)
            continue
        if spec.path is None:
            world.stdout.write(buffer.getvalue())
            continue
        target = spec.path if spec.path.is_absolute() else world.cwd / spec.path
        try:
            target.write_text(buffer.getvalue(), encoding="utf-8")
        except OSError as exc:
            failures.append(CostwardenError(f"cannot write report: {exc.strerror}", path=spec.path))
    return failures


def _catalog(args: argparse.Namespace, world: World) -> Catalog | None:
    if args.catalog is None:
        return None
    directory = args.catalog if args.catalog.is_absolute() else world.cwd / args.catalog
    return load_catalog(directory)


def _serve(args: argparse.Namespace, world: World) -> int:
    config, _ = _config(args, world)
    policies, rego = _policy_setup(args, world, config)
    settings = serve.settings_from(args, config, world.environ, world.cwd)
    scanner = serve.plan_scanner(config, policies, rego, _checkov_options(args, world))
    return serve.run(settings, scanner, args.host, args.port, args.log_level)


def _github_action(world: World) -> int:
    environ = world.environ
    workspace = Path(environ.get("GITHUB_WORKSPACE") or world.cwd)
    out = Path(environ.get("RUNNER_TEMP") or workspace) / "costwarden"
    out.mkdir(parents=True, exist_ok=True)
    inner = World(world.stdout, world.stderr, world.stdin, environ, workspace, world.today)
    code = main(github.action_arguments(environ, out), inner)
    github.publish(environ, out, code)
    return code


def _metrics_export(args: argparse.Namespace, world: World) -> int:
    config = load_config(args.config, cwd=world.cwd) if args.config else load_config(cwd=world.cwd)
    sources = _metrics(args, world, config)
    if not sources:
        raise ConfigError("name a source: --metrics-file, --cloudwatch-region or --prometheus-url")
    result = scan([_resolve(p, world) for p in args.paths], config, policies=(), metrics=sources)
    for problem in result.errors + result.warnings:
        print(f"costwarden: {'error' if problem in result.errors else 'warning'}: {problem}", file=world.stderr)
    rows = {r.cloud_id or r.address: r.utilization for r in result.resources if r.utilization is not None}
    if args.out is None:
        export(rows, world.stdout)
    else:
        target = args.out if args.out.is_absolute() else world.cwd / args.out
        with target.open("w", encoding="utf-8", newline="") as stream:
            export(rows, stream)
    return 2 if result.errors else 0


def _test(args: argparse.Namespace, world: World) -> int:
    paths = [p if p.is_absolute() else world.cwd / p for p in (args.paths or [Path()])]
    for path in paths:
        if not path.exists():
            raise ConfigError("not found", path=path)
    report = run_tests(paths, python=not args.no_python)
    for error in report.errors:
        print(f"costwarden: error: {error}", file=world.stderr)
    for outcome in report.outcomes:
        mark = "PASS" if outcome.passed else "FAIL"
        print(f"{mark} {outcome.name}" + (f": {outcome.detail}" if outcome.detail else ""), file=world.stdout)
    coverage = f", coverage {report.coverage:.1f}%" if report.coverage is not None else ""
    print(f"{report.passed} passed, {report.failed} failed{coverage}", file=world.stdout)
    if report.errors:
        return 2
    below = report.coverage is not None and report.coverage < args.threshold
    if below:
        print(f"coverage {report.coverage:.1f}% is below the threshold {args.threshold:g}%", file=world.stdout)
    failed = report.failed or below or (report.python_exit not in (None, 0))
    return 1 if failed else 0


def _tf_dir(args: argparse.Namespace, world: World) -> Path | None:
    if args.tf_dir is None:
        return None
    directory: Path = args.tf_dir if args.tf_dir.is_absolute() else world.cwd / args.tf_dir
    if not directory.is_dir():
        raise ConfigError("not a directory", path=args.tf_dir)
    return directory


def _prices_update(args: argparse.Namespace, world: World) -> int:
    if not args.aws_region and not args.azure_region:
        raise ConfigError("name at least one --aws-region or --azure-region to fetch")
    out = args.out if args.out.is_absolute() else world.cwd / args.out
    request = UpdateRequest(
        out=out,
        aws_regions=args.aws_region,
        azure_regions=args.azure_region,
        aws_pricing_endpoint=args.aws_pricing_endpoint,
        aws_ec2_endpoint=args.aws_ec2_endpoint,
        azure_url=args.azure_url,
    )
    written = update(request, log=lambda line: print(line, file=world.stderr))
    print(
        f"wrote catalog {written[0].parent} ({len(written)} files); use it with --catalog {args.out}", file=world.stdout
    )
    return 0


def _cost(args: argparse.Namespace, world: World) -> int:
    config, usage = _config(args, world)
    paths = [_resolve(path, world) for path in args.paths]
    result = scan(
        paths,
        config,
        input_format=args.format,
        stdin=world.stdin,
        usage=usage,
        policies=(),
        catalog=_catalog(args, world),
        tf_dir=_tf_dir(args, world),
    )
    for problem in result.errors:
        print(f"costwarden: error: {problem}", file=world.stderr)
    data = breakdown(result)
    if args.output == "json":
        render_json(data, world.stdout)
    else:
        render_text(data, world.stdout, ReportOptions(width=_width(world), color=_color(None, world)))
    return 2 if result.errors else 0


def _color(requested: bool | None, world: World) -> bool:
    if requested is not None:
        return requested
    return world.stdout.isatty() and "NO_COLOR" not in world.environ


def _width(world: World) -> int:
    columns = int(world.environ.get("COLUMNS", "0") or 0)
    return columns or (os.get_terminal_size().columns if world.stdout.isatty() else 120)


def _resolve(path: str, world: World) -> str:
    """Paths as the user typed them, so reports show them that way, unless cwd is injected."""
    if path == "-" or Path(path).is_absolute() or world.cwd.resolve() == Path.cwd().resolve():
        return path
    return str(world.cwd / path)


def _policies(world: World) -> int:
    for policy in BUILTIN:
        summary = policy.doc.splitlines()[0] if policy.doc else policy.title
        print(
            f"{policy.id}  {policy.name:<32} {policy.severity.label:<8} {summary}",
            file=world.stdout,
        )
    return 0
