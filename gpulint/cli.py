"""Command line: ``gpulint check``, ``rules``, ``explain``, ``grade``, ``live``, ``init``, ``--version``.

Only argparse and the version are imported at start-up; each command imports what it needs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from gpulint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json")
CHECK_FORMATS = ("text", "json", "sarif", "junit", "github")


class _Ordered(argparse.Action):
    """Records --format and --output in command-line order, so each --output pairs with its --format."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        items = list(getattr(namespace, self.dest) or [])
        items.append((self.const, values))
        setattr(namespace, self.dest, items)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 on usage errors, as gpulint does
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"gpulint: error: {message}\n")


# Commands whose options are declared beside their code: (module, function, one-line help). Only the
# module of the command being run is imported (`gpulint check` never loads grading, live or init).
_MODULE_COMMANDS = {
    "grade": ("gpulint.grading.command", "add_grade_parser",
              "grade a submission (repository folder, lab answers file or notebook) against a rubric"),
    "live": ("gpulint.live.command", "add_live_parser",
             "build the image and run its smoke test and HEALTHCHECK with and without a GPU"),
    "init": ("gpulint.scaffold.init", "add_init_parser", "scaffold a complete, passing GPU lifecycle into a repository"),
}


def _command_of(argv: list[str] | None) -> str | None:
    """The command named on the command line (the first word that is not an option: gpulint's own
    options take no value)."""
    return next((word for word in (sys.argv[1:] if argv is None else argv) if not word.startswith("-")), None)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser for this command line: every command is listed; the options of grade, live and
    init are declared only when that command is run."""
    import importlib

    parser = _Parser(prog="gpulint", description="Lint and grade the artifacts of a GPU container's lifecycle.")
    parser.add_argument("--version", action="version", version=f"gpulint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = commands.add_parser("check", help="lint GPU-lifecycle artifacts under PATHs (default .)")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    check.add_argument("--format", "-f", dest="outputs", action=_Ordered, const="format", metavar="FORMAT",
                       choices=CHECK_FORMATS,
                       help="output format: text, json, sarif, junit, github (repeatable, each with its own --output)")
    check.add_argument("--output", "-o", dest="outputs", action=_Ordered, const="output", metavar="FILE",
                       help="write the preceding --format to this file (- is standard output)")
    check.add_argument("--fail-on", choices=("error", "warning", "info", "none"), default=None,
                       help="lowest severity that makes the exit status 1 (default: error)")
    check.add_argument("--select", action="append", default=None, metavar="RULES",
                       help="only these rules (ids, id prefixes or names; comma-separated)")
    check.add_argument("--ignore", action="append", default=None, metavar="RULES", help="skip these rules")
    check.add_argument("--require", action="append", default=None, metavar="KINDS",
                       help="artifact kinds that must exist: dockerfile, workflow, kubernetes, rollout")
    check.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS",
                       help="bound the whole run: files not reached in time are not linted and reported "
                            "as a GL001 error (exit 1)")
    check.add_argument("--config", type=Path, default=None,
                       help="one configuration file for every file (default: the nearest .gpulint.yaml or "
                            "pyproject.toml [tool.gpulint] above each file, up to the repository root)")
    check.add_argument("--isolated", action="store_true", help="read no configuration file")
    check.add_argument("--force-exclude", action="store_true",
                       help="apply `exclude` to files named on the command line too (for pre-commit)")
    check.add_argument("--allow-empty", action="store_true",
                       help="exit 0 when the paths hold no artifact (default: a usage error, exit 2)")
    check.add_argument("--baseline", type=Path, default=None, metavar="FILE",
                       help="report only findings not recorded in this baseline file")
    check.add_argument("--write-baseline", type=Path, default=None, metavar="FILE",
                       help="record today's findings in FILE (then exit 0); later runs with --baseline FILE "
                            "report only new ones")
    check.add_argument("--profile", choices=("lab", "production"), default=None,
                       help="lab: the lab's criteria exactly; production (default): the same checks tuned "
                            "for real projects")
    check.add_argument("--stdin-filename", default=None, metavar="NAME",
                       help="with PATH -: the name of the file read from standard input (it decides the "
                            "artifact kind and is the path findings show; default: Dockerfile or stdin.yaml "
                            "by content)")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary")
    check.add_argument("--show-suppressed", action="store_true", help="also print suppressed findings")
    check.add_argument("--statistics", action="store_true",
                       help="text format: print counts per rule (most frequent first) instead of each finding")
    check.add_argument("--fix", action="store_true",
                       help="apply the safe automatic fixes to the files, then report what is left")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix or --diff: also apply the fixes that need a person's judgment")
    check.add_argument("--diff", action="store_true",
                       help="print the fixes as a unified diff and change nothing (exit 1 when there is one)")

    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=FORMATS, default="text")

    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("rule", metavar="RULE", help="rule id (GL103) or name")

    config = commands.add_parser("config", help="print the settings that apply to PATH and where each comes from")
    config.add_argument("path", nargs="?", type=Path, default=Path("."), metavar="PATH")
    config.add_argument("--config", type=Path, default=None, help="one configuration file (as for check)")
    config.add_argument("--isolated", action="store_true", help="read no configuration file")
    config.add_argument("--format", choices=FORMATS, default="text")
    from gpulint.live.options import add_live_arguments

    add_live_arguments(check, flag=True)
    wanted = _command_of(argv)
    for name, (module, function, help_text) in _MODULE_COMMANDS.items():
        if name == wanted:
            getattr(importlib.import_module(module), function)(commands, help_text)
        else:
            commands.add_parser(name, help=help_text)
    return parser


def _split(values: list[str] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


# The packages gpulint cannot judge without (module name: distribution name).
REQUIRED_PACKAGES = {"yaml": "pyyaml", "jsonschema": "jsonschema", "rich": "rich", "bashlex": "bashlex",
                     "pathspec": "pathspec", "msgspec": "msgspec"}


def main(argv: list[str] | None = None) -> int:
    from gpulint.core.errors import MissingDependency

    try:
        parser = build_parser(argv)  # the options' defaults are records: msgspec is needed from here
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        if args.command == "check":
            return _check(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "explain":
            return _explain(args)
        if args.command == "config":
            return _config(args)
        if args.command == "grade":
            from gpulint.grading.command import run_grade

            return run_grade(args)
        if args.command == "init":
            from gpulint.scaffold.init import run_init

            return run_init(args)
        if args.command == "live":
            from gpulint.live.command import run_live_command

            return run_live_command(args)
    except MissingDependency as error:
        print(f"gpulint: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ImportError as error:
        if (error.name or "").partition(".")[0] not in REQUIRED_PACKAGES:
            raise  # gpulint's own modules: a bug, shown as one
        package = REQUIRED_PACKAGES[error.name.partition(".")[0]]
        print(f"gpulint: error: {MissingDependency(package, f'{type(error).__name__}: {error}')}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        print("gpulint: interrupted", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_USAGE


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _check(args: argparse.Namespace) -> int:
    from gpulint.core.findings import Severity
    from gpulint.engine.run import UsageError

    try:
        outputs = _pair_outputs(args.outputs or [])
    except ValueError as error:
        print(f"gpulint: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    overrides = {"select": _split(args.select), "ignore": _split(args.ignore), "require": _split(args.require),
                 "timeout": args.timeout, "profile": args.profile, "default_profile": "production"}
    problem = _selector_errors(overrides)
    if problem:
        print(f"gpulint: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if args.config is not None and not args.config.is_file():
        print(f"gpulint: error: config file not found: {args.config}", file=sys.stderr)
        return EXIT_USAGE
    stdin = [p for p in args.paths if str(p) == "-"]
    if stdin and len(args.paths) > 1:
        print("gpulint: error: `-` (standard input) cannot be combined with other paths", file=sys.stderr)
        return EXIT_USAGE
    if args.stdin_filename is not None and not stdin:
        print("gpulint: error: --stdin-filename needs the path `-` (standard input)", file=sys.stderr)
        return EXIT_USAGE
    notebooks = [p for p in args.paths if p.suffix.lower() == ".ipynb" and p.is_file()]
    if notebooks and len(args.paths) > 1:
        print(f"gpulint: error: a notebook is checked on its own (`gpulint check {notebooks[0]}`): its answers "
              "are one submission", file=sys.stderr)
        return EXIT_USAGE
    fixing = None
    if (args.fix or args.diff) and (stdin or notebooks):
        print("gpulint: error: --fix and --diff edit files on disk: not standard input or a notebook",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        if stdin:
            result = _run_stdin(args, overrides)
        elif notebooks:
            result = _run_notebook(notebooks[0], args, overrides)
        elif args.fix or args.diff:
            fixing = _fix(args, overrides)
            if args.diff:
                return EXIT_FINDINGS if fixing.changed else EXIT_OK
            result = fixing.result
        else:
            result = _run_paths(args, overrides, outputs)
        if args.write_baseline is not None:
            return _write_baseline(result, args.write_baseline)
        if args.baseline is not None:
            from gpulint.engine.baseline import apply_baseline

            apply_baseline(result, args.baseline)
    except UsageError as error:
        print(f"gpulint: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    live = _live(result, args)  # --live: build and run the image too (None without --live)
    if isinstance(live, int):
        return live
    threshold = result.config.fail_on if result.config else Severity.ERROR
    if args.fail_on is not None:
        threshold = None if args.fail_on == "none" else Severity(args.fail_on)
    for fmt, destination in outputs:
        to_stdout = destination == "-"
        color = _color(args.color) if to_stdout else args.color == "always"
        text = _render(fmt, result, args, color=color)
        if live is not None:
            text = _with_live(fmt, text, live)
        if fixing is not None and fmt == "json":
            import json

            data = json.loads(text)
            data["fixes"] = {"applied": fixing.count, "by_rule": dict(sorted(fixing.fixed.items())),
                             "files": [c.rel for c in fixing.changed]}
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        try:
            if to_stdout:
                sys.stdout.write(text)
                sys.stdout.flush()
            else:
                Path(destination).write_text(text, encoding="utf-8")
        except OSError as error:
            print(f"gpulint: error: cannot write {fmt} output to {destination}: {error.strerror or error}",
                  file=sys.stderr)
            return EXIT_USAGE
    # The live report is shown: on standard error unless a text or JSON report on standard output carries it.
    if live is not None and not any(fmt in ("text", "json") and dest == "-" for fmt, dest in outputs):
        from gpulint.live.render import render_text

        sys.stderr.write(render_text(live))
    if any(fmt == "github" for fmt, _ in outputs) and os.environ.get("GITHUB_STEP_SUMMARY"):
        _append_step_summary(result, os.environ["GITHUB_STEP_SUMMARY"])
    if live is not None and (live.interrupted or not result.failed(threshold)):
        return live.exit_code  # 0, 1, 3 (no GPU step ran), 4 (inconclusive), 130/143 (interrupted)
    return EXIT_FINDINGS if result.failed(threshold) else EXIT_OK


def _fix(args: argparse.Namespace, overrides: dict):
    """`check --fix` / `--diff`: the fixes applied in memory; written (--fix) or printed as a diff
    (--diff) with a count per rule on standard error."""
    from gpulint.engine.check import check
    from gpulint.engine.fixing import fix_paths, unified_diff, write_changes

    paths = args.paths or [Path(".")]

    def lint(overlay):  # the same run as `gpulint check`, over the edited contents
        return check(paths, explicit_config=args.config, isolated=args.isolated, overrides=overrides,
                     allow_empty=args.allow_empty, force_exclude=args.force_exclude, overlay=overlay)

    outcome = fix_paths(paths, unsafe=args.unsafe_fixes, lint=lint)
    if args.diff:
        sys.stdout.write("".join(unified_diff(change) for change in outcome.changed))
    else:
        write_changes(outcome.changed)
    verb = "would fix" if args.diff else "fixed"
    rules = ", ".join(f"{rule} {count}" for rule, count in sorted(outcome.fixed.items()))
    print(f"gpulint: {verb} {outcome.count} finding{'s' if outcome.count != 1 else ''}"
          + (f" ({rules}) in {len(outcome.changed)} file{'s' if len(outcome.changed) != 1 else ''}" if rules else ""),
          file=sys.stderr)
    if outcome.reverted:
        print(f"gpulint: warning: a fix did not remove its finding (or broke the file) in "
              f"{', '.join(outcome.reverted)}: those edits were undone; please report it", file=sys.stderr)
    if not args.unsafe_fixes:
        unsafe = sum(1 for f in outcome.result.findings if f.autofix is not None and not f.suppressed)
        if unsafe:
            print(f"gpulint: {unsafe} more with --unsafe-fixes (fixes that need your review)", file=sys.stderr)
    return outcome


_KINDS = ("dockerfile", "workflow", "kubernetes", "rollout", "smoketest")


def _selector_errors(overrides: dict) -> str | None:
    """What is wrong with --select, --ignore and --require, with a suggestion; None when nothing is."""
    import difflib

    from gpulint.rules.selectors import selector_problem

    for option in ("select", "ignore"):
        for ref in overrides[option] or ():
            problem = selector_problem(ref)
            if problem:
                return f"--{option}: {problem}"
    for kind in overrides["require"] or ():
        if kind not in _KINDS:
            guess = difflib.get_close_matches(kind, _KINDS, n=1)
            hint = f"; did you mean {guess[0]!r}?" if guess else f" (one of {', '.join(_KINDS)})"
            return f"--require: unknown artifact kind {kind!r}{hint}"
    return None


def _run_paths(args: argparse.Namespace, overrides: dict, outputs: list[tuple[str, str]]):
    """`gpulint check PATH...`: the paths judged in their place in the repository."""
    from gpulint.engine.check import check
    from gpulint.reporters.progress import progress_for

    with progress_for([fmt for fmt, _ in outputs], quiet=args.quiet) as progress:
        return check(args.paths or [Path(".")], explicit_config=args.config, isolated=args.isolated,
                     overrides=overrides, allow_empty=args.allow_empty, force_exclude=args.force_exclude,
                     progress=progress, keep_artifacts=bool(getattr(args, "live", False)))


def _write_baseline(result, path: Path) -> int:
    from gpulint.engine.baseline import write_baseline

    try:
        count = write_baseline(result, path)
    except OSError as error:
        print(f"gpulint: error: cannot write the baseline {path}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"gpulint: recorded {count} finding(s) in {path}", file=sys.stderr)
    return EXIT_OK


def _config(args: argparse.Namespace) -> int:
    from gpulint.engine.run import UsageError
    from gpulint.engine.settings import describe
    from gpulint.reporters.settings import render_json, render_text

    if args.config is not None and not args.config.is_file():
        print(f"gpulint: error: config file not found: {args.config}", file=sys.stderr)
        return EXIT_USAGE
    try:
        described = describe(args.path, explicit_config=args.config, isolated=args.isolated)
    except UsageError as error:
        print(f"gpulint: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(render_json(described) if args.format == "json" else render_text(described))
    return EXIT_OK


def _stdin_name(data: bytes) -> str:
    """A name for unnamed standard input, by content: a Dockerfile starts with FROM, ARG or a parser
    directive; anything else is read as YAML."""
    for raw in data.decode("utf-8", errors="replace").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line[1:].strip().lower().startswith(("syntax=", "escape=", "check=")):
                return "Dockerfile"
            continue
        return "Dockerfile" if line.split(None, 1)[0].upper() in ("FROM", "ARG") else "stdin.yaml"
    return "stdin.yaml"


def _run_stdin(args: argparse.Namespace, overrides: dict):
    """`gpulint check -`: lint one file read from standard input, reported under --stdin-filename.

    The text is written to a private temporary folder under that name (so the name decides the
    artifact kind, as it does for files on disk), linted there, and the findings renamed back."""
    import tempfile
    from pathlib import PurePosixPath

    from gpulint.engine.discovery import classify
    from gpulint.engine.run import UsageError, run

    data = sys.stdin.buffer.read()
    display = args.stdin_filename or _stdin_name(data)
    parts = [p for p in PurePosixPath(display.replace("\\", "/")).parts if p not in ("/", ".", "..")]
    if not parts:
        raise UsageError(f"--stdin-filename {display!r} names no file")
    # The file is judged where it would be: its configuration, and its path in the repository.
    config, place = _stdin_place(args, overrides, "/".join(parts))
    display = place or display
    rel = place or "/".join(parts)
    if classify(rel) is None:  # a name discovery would not read (`Dockerfile_gpu`): lint it by content
        rel = _stdin_name(data)
    with tempfile.TemporaryDirectory(prefix="gpulint-stdin-") as folder:
        target = Path(folder) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        result = run([Path(folder)], config=config, overrides=overrides)
    for finding in result.findings:
        if finding.path == rel:
            finding.path = display
    result.files = [display if f == rel else f for f in result.files]
    return result


def _stdin_place(args: argparse.Namespace, overrides: dict, name: str):
    """(the configuration, the repository-relative path or None) of a file read from standard input
    under ``name`` (relative to the working directory)."""
    from gpulint.engine.workspace import Configs, repository_root
    from gpulint.rules.selectors import selector_problem

    cwd = Path.cwd().resolve()
    location = cwd / name
    repository = repository_root(cwd)
    configs = Configs(repository or cwd, repository, explicit=args.config, isolated=args.isolated,
                      overrides={k: v for k, v in overrides.items() if k != "timeout"},
                      check_selector=selector_problem)
    entry = configs.for_dir(location.parent)
    configs.raise_problems()
    place = location.relative_to(repository).as_posix() if repository is not None else None
    return entry.config, place


def _run_notebook(path: Path, args: argparse.Namespace, overrides: dict):
    """`gpulint check lab.ipynb`: the notebook read as `grade` reads it (its %%writefile cells, the lab's
    answer variables, tagged cells), linted with the configuration next to it; a notebook with no
    answer, or one that cannot be read, is a usage error (exit 2), never a silent pass."""
    from gpulint.artifacts.notebook.cells import NotebookError, answers_of
    from gpulint.engine.notebook import lint_notebook
    from gpulint.engine.run import UsageError
    from gpulint.engine.workspace import Configs, repository_root
    from gpulint.rules.selectors import selector_problem

    try:
        answers = answers_of(path)
    except NotebookError as error:
        raise UsageError(str(error)) from None
    if answers.empty:
        raise UsageError(f"{path.name}: no code cell gives an answer gpulint can lint (a `%%writefile` cell, one "
                         "of the lab's answer variables such as `dockerfile = r\"\"\"...\"\"\"`, or a cell "
                         "tagged with an artifact's name)")
    folder = path.resolve().parent
    repository = repository_root(folder)
    configs = Configs(repository or folder, repository, explicit=args.config, isolated=args.isolated,
                      check_selector=selector_problem)
    entry = configs.for_dir(folder)
    configs.raise_problems()
    linted = lint_notebook(path, answers, config_path=entry.path, overrides=overrides)
    linted.result.files = [path.name]
    return linted.result


def _live(result, args: argparse.Namespace):
    """``check --live``: the live report (None without --live), or an exit status when it cannot run."""
    if not getattr(args, "live", False):
        return None
    from gpulint.live.command import execute

    return execute(result, args)


def _with_live(fmt: str, text: str, live) -> str:
    """JSON gets a "live" key (live mode's own JSON); text gets live mode's report appended; other
    formats are left as they are and the live report goes to standard error."""
    from gpulint.live.render import render_text

    if fmt == "json":
        import json

        data = json.loads(text)
        data["live"] = live.to_json()
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "text":
        return text + ("\n" if text and not text.endswith("\n") else "") + render_text(live)
    return text


def _pair_outputs(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(format, destination) pairs from --format/--output in order; a format without --output is stdout."""
    pairs: list[list[str | None]] = []
    for option, value in items:
        if option == "format":
            pairs.append([value, None])
        elif not pairs or pairs[-1][1] is not None:
            raise ValueError(f"--output {value} must follow the --format it writes")
        else:
            pairs[-1][1] = value
    resolved = [(str(fmt), dest or "-") for fmt, dest in pairs] or [("text", "-")]
    stdout = [fmt for fmt, dest in resolved if dest == "-"]
    if len(stdout) > 1:
        raise ValueError(f"formats {', '.join(stdout)} would all go to standard output; give each an --output FILE")
    files = [os.path.abspath(dest) for _, dest in resolved if dest not in ("-", os.devnull)]
    if len(files) != len(set(files)):
        raise ValueError("two formats would be written to the same --output file")
    return resolved


def _render(fmt: str, result, args: argparse.Namespace, color: bool) -> str:
    if fmt == "json":
        from gpulint.reporters.json_report import render as render_json

        return render_json(result)
    if fmt == "sarif":
        from gpulint.reporters.sarif import render as render_sarif

        return render_sarif(result)
    if fmt == "junit":
        from gpulint.reporters.junit import render as render_junit

        return render_junit(result)
    if fmt == "github":
        from gpulint.reporters.github import render as render_github

        return render_github(result)
    from gpulint.reporters.text import render as render_text

    return render_text(result, color=color, quiet=args.quiet, show_suppressed=args.show_suppressed,
                       statistics=args.statistics)


def _append_step_summary(result, path: str) -> None:
    from gpulint.reporters.github import summary_markdown

    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(summary_markdown(result))
    except OSError as error:  # a summary is a courtesy; the annotations and exit status still stand
        print(f"gpulint: warning: cannot write the step summary to {path}: {error.strerror or error}",
              file=sys.stderr)


def _color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _rules(args: argparse.Namespace) -> int:
    from gpulint.rules.base import load_rules

    rules = load_rules().values()
    if args.format == "json":
        import json

        data = [{"id": r.id, "name": r.name, "severity": r.severity.value, "kind": r.kind,
                 "criterion": r.criterion, "covers": list(r.covers), "summary": r.summary,
                 "fix_availability": r.fix_availability.value,
                 "fix_applicability": [a.value for a in r.fix_applicability]} for r in rules]
        print(json.dumps(data, indent=2))
        return EXIT_OK
    family = None
    for r in rules:
        if r.id[:3] != family:  # rules are listed by family: GL0xx general, GL1xx Dockerfile, ...
            family = r.id[:3]
            print(f"{family}xx {_FAMILIES.get(family, '')}".rstrip())
        covers = f" [{', '.join(r.covers)}]" if r.covers else ""
        fix = _fix_mark(r)
        print(f"  {r.id}  {r.name:<32} {r.severity.value:<8} {r.kind:<11} {r.criterion or '-':<27} "
              f"{fix:<4} {r.summary}{covers}")
    print("\nfix: * always, ~ sometimes fixable by `check --fix`; ! only with --unsafe-fixes")
    return EXIT_OK


def _fix_mark(rule) -> str:
    """`*` always / `~` sometimes fixable, `!` when every fix needs --unsafe-fixes, `-` never."""
    mark = {"always": "*", "sometimes": "~"}.get(rule.fix_availability.value, "-")
    if mark != "-" and all(a.value == "unsafe" for a in rule.fix_applicability):
        mark += "!"
    return mark


_FAMILIES = {"GL0": "general", "GL1": "Dockerfile", "GL2": "GitHub Actions workflow", "GL3": "Kubernetes",
             "GL4": "rollback and promotion plan", "GL5": "lifecycle, across artifacts",
             "GL6": "other CI systems (GitLab CI, Tekton, Cloud Build)"}


def _explain(args: argparse.Namespace) -> int:
    from gpulint.rules.base import find_rule, load_rules

    rule = find_rule(args.rule)
    if rule is None:
        import difflib

        names = [r.id for r in load_rules().values()] + [r.name for r in load_rules().values()]
        guess = difflib.get_close_matches(args.rule, names, n=1)
        hint = f"; did you mean {guess[0]}?" if guess else "; `gpulint rules` lists them"
        print(f"gpulint: error: no rule {args.rule!r}{hint}", file=sys.stderr)
        return EXIT_USAGE
    fixable = rule.fix_availability.value
    if fixable != "never":
        fixable += f" ({', '.join(a.value for a in rule.fix_applicability)})"
    header = (f"{rule.id} {rule.name}\n"
              f"severity: {rule.severity.value}   artifact: {rule.kind}   criterion: {rule.criterion or '-'}"
              f"   automatic fix: {fixable}\n"
              f"{rule.summary}\n\n")
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(f"# {rule.id} {rule.name}\n\n" + header.split("\n", 1)[1] + rule.documentation()))
    else:
        print(header + rule.documentation())
    return EXIT_OK


def entry() -> None:
    """The console script: run, flush, and leave without tearing down every parsed node one by
    one (interpreter shutdown frees hundreds of thousands of objects for nothing)."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    os._exit(code if isinstance(code, int) else 0)
