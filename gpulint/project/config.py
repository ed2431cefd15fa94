"""Configuration: ``.gpulint.yaml`` or ``[tool.gpulint]`` in ``pyproject.toml``.

Validated against the JSON Schema shipped in ``rules/config.schema.json``; each violation becomes
a problem that points at the offending key. jsonschema is imported only when a file exists.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gpulint.core.findings import Severity
from gpulint.core.limits import Limits
from gpulint.core.records import Record, field, replace
from gpulint.core.source import Source, Span

CONFIG_NAMES = (".gpulint.yaml", ".gpulint.yml")
# Folder and file names (globs) that hold test data, not configuration: skipped when a folder is
# walked (a file named on the command line is still read). `test-data: []` lints them.
DEFAULT_TEST_DATA = ("testdata", "test-data", "test_data", "__snapshots__", "snapshots", "golden", "goldens",
                     "__fixtures__", "fixtures", "*.golden", "*.golden.*", "*_golden.*")
PROFILES = ("lab", "production")
DEFAULT_LIMITS = Limits()


# Folder names of a project's own tests: manifests there run the build under test on purpose.
TEST_FOLDERS = frozenset({"test", "tests", "e2e", "testing", "integration-tests"})


def in_test_folder(rel_path: str) -> bool:
    """The file lives in a test folder (``tests/configs/x.yaml``; a flattened ``a__tests__x.yaml`` too)."""
    parts = [p for part in rel_path.lower().split("/")[:-1] for p in part.split("__")]
    parts += rel_path.lower().rsplit("/", 1)[-1].split("__")[:-1]
    return any(p in TEST_FOLDERS for p in parts)


def profile_of(project: object) -> str:
    """The active profile of a run (`lab` when the project carries no configuration)."""
    config = getattr(project, "config", None)
    return getattr(config, "active_profile", "lab") if config is not None else "lab"


class Config(Record):
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)
    fail_on: Severity | None = Severity.ERROR
    exclude: tuple[str, ...] = ()
    require: tuple[str, ...] = ()
    gpu_runner_labels: tuple[str, ...] = ()
    test_data: tuple[str, ...] = DEFAULT_TEST_DATA
    # `lab` judges the lab's criteria exactly; `production` tunes the same checks for real projects.
    # `profile` is what the config file or --profile says; `default_profile` what the command assumes
    # without one (`check`: production; the library and `grade`: lab).
    profile: str | None = None
    default_profile: str = "lab"
    limits: Limits = field(default_factory=Limits)
    source: Source | None = None
    problems: list[tuple[Span, str]] = field(default_factory=list)
    # Where each top-level key was set: key -> its span in the file (`gpulint config` shows it).
    origins: dict[str, Span] = field(default_factory=dict)

    @property
    def active_profile(self) -> str:
        return self.profile or self.default_profile

    def enabled(self, rule_id: str, rule_name: str, aliases: tuple[str, ...] = ()) -> bool:
        """Whether `select`/`ignore` keep the rule (see ``selector_matches``)."""
        if self.select and not any(selector_matches(r, rule_id, rule_name, aliases) for r in self.select):
            return False
        return not any(selector_matches(r, rule_id, rule_name, aliases) for r in self.ignore)

    def severity_for(self, rule_id: str, rule_name: str, default: Severity, aliases: tuple[str, ...] = ()) -> Severity:
        known = {rule_id.lower(), rule_name} | {a.lower() for a in aliases}
        for ref, level in self.severity.items():
            if ref.lower() in known:
                return level
        return default


def selector_matches(ref: str, rule_id: str, rule_name: str, aliases: tuple[str, ...] = ()) -> bool:
    """Whether a selector names this rule: its name, a prefix of its id, or one of the ids and
    names it took over from merged rules."""
    ids = [rule_id.lower()] + [a.lower() for a in aliases if a[:2].lower() == "gl"]
    names = {rule_name} | {a.lower() for a in aliases if a[:2].lower() != "gl"}
    ref_l = ref.lower()
    return ref_l in names or any(i.startswith(ref_l) for i in ids)


def find_config_above(directory: Path, stop: Path | None) -> Path | None:
    """The nearest configuration in ``directory`` or a folder above it, up to ``stop`` (the
    repository root) inclusive, or up to the filesystem root when ``stop`` is None."""
    current = directory
    while True:
        found = find_config(current)
        if found is not None:
            return found
        if (stop is not None and current == stop) or current.parent == current:
            return None
        current = current.parent


def find_config(root: Path, names: frozenset[str] | None = None) -> Path | None:
    """The configuration file of the folder ``root``; ``names``, when known, are the names in
    it (a folder already listed needs no `stat` for the names it lacks)."""
    for name in CONFIG_NAMES:
        if (names is None or name in names) and (root / name).is_file():
            return root / name
    pyproject = root / "pyproject.toml"
    if (names is None or "pyproject.toml" in names) and pyproject.is_file():
        try:
            text = pyproject.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        if "tool.gpulint" not in text:
            return None  # as ruff does, a pyproject.toml without a gpulint section is no configuration
        import tomllib

        try:
            return pyproject if "gpulint" in tomllib.loads(text).get("tool", {}) else None
        except tomllib.TOMLDecodeError:
            return pyproject if "[tool.gpulint" in text else None  # broken: reported when loaded
    return None


def load_config(path: Path | None, root: Path, check_selector: Callable[[str, bool], str | None] | None = None,
                rel: str | None = None) -> Config:
    """The configuration in ``path``; problems are kept in ``Config.problems`` with their place.

    ``check_selector(ref, exact)`` says what is wrong with a rule selector (None: it names rules;
    ``exact``: it must name one rule, not an id prefix), so
    that `select`, `ignore` and `severity` that name no rule are problems too; ``rel`` is the
    name the file is shown under (default: its name at ``root``, else its path)."""
    if path is None:
        return Config()
    if rel is None:
        rel = path.name if path.parent.resolve() == root.resolve() else str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        source = Source("", rel, path)
        return Config(source=source, problems=[(Span(source, 0, 0), f"cannot read config: {error}")])
    source = Source(text, rel, path)
    if path.name == "pyproject.toml":
        data, locate, problem = _from_toml(source)
    else:
        data, locate, problem = _from_yaml(source)
    if problem is not None:
        return Config(source=source, problems=[problem])
    config = _validated(data, source, locate)
    if isinstance(data, dict):
        config.origins = {str(key): locate((key,)) for key in data}
        if check_selector is not None:
            config.problems.extend(_selector_problems(data, locate, check_selector))
    return config


def _selector_problems(data: dict, locate, check_selector: Callable[[str, bool], str | None]) -> list[tuple[Span, str]]:
    """`select`, `ignore` and `severity` entries that name no rule."""
    problems = []
    for key in ("select", "ignore"):
        values = data.get(key)
        for index, ref in enumerate(values if isinstance(values, list) else []):
            message = check_selector(ref, False) if isinstance(ref, str) else None
            if message:
                problems.append((locate((key, index)), f"'{key}': {message}"))
    severity = data.get("severity")
    for ref in severity if isinstance(severity, dict) else {}:
        message = check_selector(str(ref), True)  # a severity names one rule
        if message:
            problems.append((locate(("severity", ref)), f"'severity': {message}"))
    return problems


def _from_yaml(source: Source):
    import yaml

    from gpulint.syntax import yamlnode as Y

    try:
        node = yaml.compose(source.text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        offset = source.offset(mark.line + 1, mark.column + 1) if mark else 0
        return None, None, (Span(source, offset, offset + 1), f"invalid YAML in config: {error}")
    data = Y.to_python(node) if node is not None else {}

    def locate(path: tuple, value: bool = False) -> Span:
        """The span of a key (its value with ``value``) at ``path``."""
        current = node
        for depth, key in enumerate(path):
            nxt = None
            if isinstance(key, int):
                nxt = Y.get_path(current, key)
            else:
                pair = Y.get_pair(current, key)
                if pair is not None:
                    nxt = pair[1] if value or depth < len(path) - 1 else pair[0]
            if nxt is None:
                break
            current = nxt
        return Y.span(source, current) if current is not None else Span(source, 0, 0)

    return data, locate, None


def _from_toml(source: Source):
    import tomllib

    try:
        data = tomllib.loads(source.text).get("tool", {}).get("gpulint", {})
    except tomllib.TOMLDecodeError as error:
        return None, None, (Span(source, 0, 0), f"invalid TOML in config: {error}")
    section = source.text.find("[tool.gpulint]")

    def locate(path: tuple, value: bool = False) -> Span:
        # tomllib keeps no positions: point at the key's first occurrence inside the section.
        for key in reversed([k for k in path if isinstance(k, str)]):
            found = source.text.find(key, max(section, 0))
            if found != -1:
                return Span(source, found, found + len(key))
        return Span(source, max(section, 0), max(section, 0) + 14)

    return data, locate, None


def _validated(data: Any, source: Source, locate) -> Config:
    from gpulint.core.resources import data_path
    from gpulint.core.schema_check import surely_valid

    schema = json.loads(data_path("config.schema.json").read_text(encoding="utf-8"))
    config = Config(source=source)
    if data is None:
        data = {}
    errors: list = []
    if not surely_valid(data, schema):  # jsonschema decides, and explains, what the quick check doubts
        import jsonschema

        validator = jsonschema.Draft202012Validator(schema)
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    for error in errors:
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            for extra in sorted(set(error.instance) - allowed):
                import difflib

                guess = difflib.get_close_matches(str(extra), sorted(allowed), n=1)
                hint = f"; did you mean '{guess[0]}'?" if guess else ""
                config.problems.append((locate(path + (extra,)), f"unknown config key '{extra}'{hint}"))
            continue
        where = ".".join(str(p) for p in path) or "config"
        config.problems.append((locate(path, value=True), f"invalid value for '{where}': {error.message}"))
    if errors or not isinstance(data, dict):
        return config
    limits = data.get("limits", {})
    fail_on = data.get("fail-on", "error")
    return replace(
        config,
        select=tuple(data.get("select", ())),
        ignore=tuple(data.get("ignore", ())),
        severity={k: Severity(v) for k, v in data.get("severity", {}).items()},
        fail_on=None if fail_on == "none" else Severity(fail_on),
        exclude=tuple(data.get("exclude", ())),
        require=tuple(data.get("require", ())),
        gpu_runner_labels=tuple(data.get("gpu-runner-labels", ())),
        test_data=tuple(data.get("test-data", DEFAULT_TEST_DATA)),
        profile=data.get("profile"),
        limits=Limits(
            max_file_size=limits.get("max-file-size", DEFAULT_LIMITS.max_file_size),
            max_depth=limits.get("max-depth", DEFAULT_LIMITS.max_depth),
            max_alias_expansion=limits.get("max-alias-expansion", DEFAULT_LIMITS.max_alias_expansion),
            max_documents=limits.get("max-documents", DEFAULT_LIMITS.max_documents),
            timeout=data.get("timeout", limits.get("timeout")),
        ),
    )
