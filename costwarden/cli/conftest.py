"""``costwarden conftest test|verify|parse``: conftest's commands, flags, outputs and exit codes.

Only the given Rego policies run (no FinOps built-ins); the priced path stays ``costwarden scan``.
Exit codes are conftest's: 0 pass or warn, 1 a failure (or an error, as conftest exits), and with
``--fail-on-warn`` 1 a warning and 2 a failure. A flag the embedded engine cannot honour exits 2
with one line saying why. ``conftest.toml`` in the working folder (or ``-c FILE``) gives flag
defaults, as conftest reads it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from costwarden import escape
from costwarden.cli.world import World
from costwarden.conftest import parsers
from costwarden.conftest.engine import ConftestError, Engine, EngineOptions, combined, matching, verify
from costwarden.conftest.outputs import OUTPUTS, OutputOptions, report
from costwarden.conftest.results import CheckResults
from costwarden.errors import ConfigError, CostwardenError, LoadError

HELP = "conftest's test, verify and parse: the same policies, inputs, results and exit codes"


class _Listed(argparse.Action):
    """A repeatable flag that also takes comma-separated values, as conftest's do."""

    def __call__(self, parser: Any, namespace: argparse.Namespace, values: Any, option: Any = None) -> None:
        found = list(getattr(namespace, self.dest) or [])
        found += [part for part in str(values).split(",") if part]
        setattr(namespace, self.dest, found)


def _engine_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-p", "--policy", action=_Listed, default=None, help="Rego files or folders (default: policy)")
    parser.add_argument("-d", "--data", action=_Listed, default=None, help="data files or folders (JSON, YAML)")
    parser.add_argument("-n", "--namespace", action=_Listed, default=None, help="namespaces; globs match")
    parser.add_argument("-o", "--output", choices=sorted(OUTPUTS), default=None, help="output format")
    parser.add_argument("--no-color", action="store_true", help="no colour")
    parser.add_argument("--quiet", action="store_true", help="print nothing when every test passes")
    parser.add_argument("--trace", action="store_true", help="the queries and what each returned")
    parser.add_argument("--strict", action="store_true", help="refused: regorus has no strict compiler checks")
    parser.add_argument("--rego-version", choices=("v0", "v1"), default=None, help="Rego syntax (default: per file)")
    parser.add_argument("--capabilities", default=None, help="JSON capabilities file: builtins a policy may call")
    parser.add_argument("--show-builtin-errors", action="store_true", help="builtin errors fail the run (always so)")
    parser.add_argument("--junit-hide-message", action="store_true", help="JUnit test names without the message")
    parser.add_argument("--github-hide-passed", action="store_true", help="GitHub output without passing files")
    parser.add_argument("--proto-file-dirs", action=_Listed, default=None, help=argparse.SUPPRESS)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-c", "--config-file", default=None, help="conftest.toml with flag defaults")
    commands = parser.add_subparsers(dest="conftest_command", required=True, metavar="test|verify|parse")
    test = commands.add_parser("test", help="test files against Rego policies")
    test.add_argument("files", nargs="*", help="files or folders; - reads stdin")
    _engine_flags(test)
    test.add_argument("--all-namespaces", action="store_true", help="every namespace of the policies")
    test.add_argument("--combine", action="store_true", help="every file in one input: [{path, contents}]")
    test.add_argument("--parser", choices=[*parsers.known_parsers(), "hcl"], default=None, help="force a parser")
    test.add_argument("--fail-on-warn", action="store_true", help="exit 1 on a warning, 2 on a failure")
    test.add_argument("--no-fail", action="store_true", help="exit 0 whatever fails")
    test.add_argument("--suppress-exceptions", action="store_true", help="do not print exceptions")
    test.add_argument("--ignore", default="", help="a regular expression of paths to leave out of folders")
    test.add_argument("--stdin-filename", default="", help="the name stdin's results carry")
    test.add_argument("-u", "--update", action=_Listed, default=None, help="refused: costwarden downloads nothing")
    verify_parser = commands.add_parser("verify", help="run the policies' test_ rules")
    verify_parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    _engine_flags(verify_parser)
    verify_parser.add_argument("--report", choices=("full", "notes", "fails"), default=None, help="stdout only")
    parse = commands.add_parser("parse", help="print files as the documents policies see")
    parse.add_argument("files", nargs="+", help="files; - reads stdin")
    parse.add_argument("--parser", choices=[*parsers.known_parsers(), "hcl"], default=None, help="force a parser")
    parse.add_argument("--combine", action="store_true", help="as --combine gives them to policies")


def _settings(args: argparse.Namespace, world: World) -> dict[str, Any]:
    file = Path(args.config_file) if args.config_file else Path("conftest.toml")
    path = world.path(file)
    if not path.is_file():
        if args.config_file:
            raise ConftestError("error reading config: no such file", path=args.config_file)
        return {}
    try:
        return {key.replace("-", "_"): value for key, value in tomllib.loads(path.read_text("utf-8")).items()}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConftestError(f"error reading config: {exc}", path=str(file)) from None


def _pick(args: argparse.Namespace, settings: dict[str, Any], name: str, default: Any) -> Any:
    given = getattr(args, name, None)
    if given not in (None, False, [], ""):
        return given
    value = settings.get(name, default)
    return [value] if isinstance(default, list) and isinstance(value, str) else value


def _refuse(args: argparse.Namespace) -> None:
    if getattr(args, "strict", False):
        raise ConfigError("--strict: the embedded engine (regorus) has no strict compiler checks; not run")
    if getattr(args, "update", None):
        raise ConfigError("--update: costwarden downloads nothing; fetch policies with git or conftest pull")
    if getattr(args, "proto_file_dirs", None):
        raise ConfigError("--proto-file-dirs: text protocol buffers are not read")


def run(args: argparse.Namespace, world: World) -> int:
    try:
        settings = _settings(args, world)
        if args.conftest_command == "parse":
            return _parse(args, world)
        _refuse(args)
        options = EngineOptions(
            policies=_pick(args, settings, "policy", ["policy"]),
            data=_pick(args, settings, "data", []),
            rego_version=_pick(args, settings, "rego_version", "auto"),
            capabilities=_pick(args, settings, "capabilities", None),
        )
        output = _pick(args, settings, "output", "stdout")
        if args.conftest_command == "verify" and args.report and output != "stdout":
            raise ConftestError("report flag is supported with stdout only")
        engine = Engine(options, world.cwd)
        if args.conftest_command == "verify":
            results = verify(engine, _pick(args, settings, "namespace", []))
            if args.report:
                for result in results.results:
                    for line in result.prints:
                        world.stdout.write(escape.terminal(line) + "\n")
                report(results, world.stdout)
                return results.exit_code()
            return _print(results, args, settings, world, output, show_skipped=True)
        return _test(engine, args, settings, world, output)
    except ConftestError as exc:
        world.say("error", exc)
        return 1
    except LoadError as exc:
        world.say("error", exc)
        return 1


def _test(engine: Engine, args: argparse.Namespace, settings: dict[str, Any], world: World, output: str) -> int:
    configs, errors = _configurations(args.files, args, settings, world)
    if args.all_namespaces or settings.get("all_namespaces"):
        namespaces = engine.namespaces()
    else:
        namespaces = matching(engine.namespaces(), _pick(args, settings, "namespace", ["main"]))
    results = engine.check_all(configs, namespaces, combine=bool(args.combine or settings.get("combine")))
    fail_on_warn = bool(args.fail_on_warn or settings.get("fail_on_warn"))
    code = results.exit_code(fail_on_warn)
    if not (args.quiet or settings.get("quiet")) or code != 0:
        _render(results, args, settings, world, output, show_skipped=False)
    for error in errors:
        world.say("error", error)
    if args.no_fail or settings.get("no_fail"):
        return 0
    return max(code, 1 if errors else 0)


def _print(
    results: CheckResults,
    args: argparse.Namespace,
    settings: dict[str, Any],
    world: World,
    output: str,
    show_skipped: bool,
) -> int:
    code = results.exit_code()
    if not (args.quiet or settings.get("quiet")) or code != 0:
        _render(results, args, settings, world, output, show_skipped)
    return code


def _render(
    results: CheckResults,
    args: argparse.Namespace,
    settings: dict[str, Any],
    world: World,
    output: str,
    show_skipped: bool,
) -> None:
    options = OutputOptions(
        color=world.color(False if (args.no_color or settings.get("no_color")) else None),
        suppress_exceptions=bool(getattr(args, "suppress_exceptions", False) or settings.get("suppress_exceptions")),
        show_skipped=show_skipped,
        trace=bool(args.trace),
        junit_hide_message=bool(args.junit_hide_message),
        github_hide_passed=bool(args.github_hide_passed),
    )
    OUTPUTS[output](results, world.stdout, options)


def _files(given: Sequence[str], ignore: str, world: World) -> list[str]:
    """conftest's file list: ``-``, files, and the files of folders that some parser reads."""
    pattern = re.compile(ignore) if ignore else None
    found: list[str] = []
    for name in given:
        if name == "" or name == "-":
            found += [name] if name else []
            continue
        path = world.path(name)
        if not path.exists():
            raise ConftestError(f"get file info: {name}: no such file or directory")
        if not path.is_dir():
            found.append(name)
            continue
        for folder, _dirs, files in os.walk(path, followlinks=True):
            for file in sorted(files):
                shown = str(Path(name) / (Path(folder) / file).relative_to(path))
                if pattern and pattern.search(shown):
                    continue
                if parsers.parser_name(shown) is not None:
                    found.append(os.path.normpath(shown))
    if not found:
        raise ConftestError("no files found")
    return found


def _configurations(
    given: Sequence[str], args: argparse.Namespace, settings: dict[str, Any], world: World
) -> tuple[dict[str, Any], list[CostwardenError]]:
    """Each file's document; a file that does not parse is an error and the others still run."""
    parser = _pick(args, settings, "parser", None)
    configs: dict[str, Any] = {}
    errors: list[CostwardenError] = []
    for name in _files(given, getattr(args, "ignore", ""), world):
        try:
            data = world.stdin.read() if name == "-" else world.path(name).read_bytes()
            document = parsers.parse(name, data, parser)
        except OSError as exc:
            errors.append(LoadError(f"cannot read: {exc.strerror}", path=name))
            continue
        except CostwardenError as exc:
            errors.append(exc)
            continue
        stdin_name = str(getattr(args, "stdin_filename", "") or "")
        shown = stdin_name if name == "-" and stdin_name else name
        configs[shown] = document
    return configs, errors


def _parse(args: argparse.Namespace, world: World) -> int:
    configs, errors = _configurations(args.files, args, {}, world)
    for error in errors:
        world.say("error", error)
    if errors:
        return 1
    if args.combine:
        document: Any = combined(configs)
    elif len(configs) == 1:
        document = next(iter(configs.values()))
    else:
        document = configs
    world.stdout.write(json.dumps(document, indent=4, default=str, ensure_ascii=False) + "\n")
    return 0
