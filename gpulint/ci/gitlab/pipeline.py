"""GitLab CI pipelines (``.gitlab-ci.yml``): jobs, scenarios and the build -> GPU test -> push chain.

The file is read as GitLab reads it: ``include: local:`` files are merged in (the including file
wins), hidden jobs and ``extends`` are resolved, ``!reference [job, key]`` tags are followed,
``default:`` (and the legacy global ``image``/``before_script``/``after_script``) is inherited.
Each job's ``before_script``/``script``/``after_script`` lines are parsed as shell (each line
fails the job when it fails: ``set -eo pipefail``), so an ``echo docker push`` never counts.

Which jobs exist is decided per scenario (merge request pipeline, branch push, push to main,
tag, schedule, a manual "Run pipeline" on a branch) by evaluating ``workflow: rules``, job
``rules`` (first match, ``when:``) and legacy ``only``/``except`` with GitLab's own expression
language (``gitlab_expr``). "After" follows stage order and ``needs:``; a failed job stops the
jobs after it unless they are ``when: always``/``on_failure``, and ``allow_failure`` stops
nothing.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gpulint.ci.commands import (BUILD, GPU, PUSH, TEST, after_cd, classify, followed_script_hits, live_commands,
                                 recipe_actions)
from gpulint.ci.make import is_make
from gpulint.ci.runners import is_gpu_label
from gpulint.core.records import Record, field
from gpulint.core.source import Source, Span
from gpulint.core.tri import UNKNOWN, Tri, and3, or3
from gpulint.syntax import gitlab_expressions as GE
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.embedded import scalar_locator
from gpulint.syntax.shell import SimpleCommand
from gpulint.syntax.yamlfile import YamlFile, load_yaml

if TYPE_CHECKING:
    from gpulint.project.project import Project

MAIN = "main"
FEATURE = "feature-x"
TAG = "v1.2.0"
GLOBAL_KEYS = frozenset({"stages", "variables", "workflow", "default", "include", "image", "services", "cache",
                         "before_script", "after_script", "types", "pages:deploy"})
DEFAULT_STAGES = [".pre", "build", "test", "deploy", ".post"]
REFERENCE_TAG = "!reference"
MAX_INCLUDES = 50


# ----------------------------------------------------------------------------- scenarios

class Scenario(Record, frozen=True):
    key: str
    label: str
    env: dict[str, Any]

    @property
    def main_push(self) -> bool:
        """Pipelines that build main's code: a push to main (and a schedule on main)."""
        return self.key in ("push-main", "schedule")


def scenario_env(source: str, branch: str | None = None, tag: str | None = None, mr: bool = False) -> dict[str, Any]:
    env: dict[str, Any] = {"CI_PIPELINE_SOURCE": source, "CI_DEFAULT_BRANCH": MAIN, "CI": "true",
                           "GITLAB_CI": "true", "CI_COMMIT_BRANCH": branch, "CI_COMMIT_TAG": tag,
                           "CI_COMMIT_REF_NAME": branch or tag or FEATURE,
                           "CI_COMMIT_REF_SLUG": (branch or tag or FEATURE).replace(".", "-"),
                           "CI_MERGE_REQUEST_IID": None, "CI_MERGE_REQUEST_ID": None,
                           "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": None, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": None,
                           "CI_MERGE_REQUEST_EVENT_TYPE": None, "CI_EXTERNAL_PULL_REQUEST_IID": None,
                           "CI_OPEN_MERGE_REQUESTS": None}
    if mr:
        env.update(CI_MERGE_REQUEST_IID="1", CI_MERGE_REQUEST_ID="101", CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=FEATURE,
                   CI_MERGE_REQUEST_TARGET_BRANCH_NAME=MAIN, CI_MERGE_REQUEST_EVENT_TYPE="detached")
    return env


SCENARIOS = (
    Scenario("merge_request", "a merge request pipeline (feature-x into main)", scenario_env("merge_request_event", mr=True)),
    Scenario("push-branch", f"a push to branch {FEATURE}", scenario_env("push", branch=FEATURE)),
    Scenario("push-main", "a push to main", scenario_env("push", branch=MAIN)),
    Scenario("push-branch-2", "a push to branch main-hotfix", scenario_env("push", branch="main-hotfix")),
    Scenario("push-tag", f"a tag push ({TAG})", scenario_env("push", tag=TAG)),
    Scenario("schedule", "a scheduled pipeline on main", scenario_env("schedule", branch=MAIN)),
    Scenario("web", f"a manual pipeline run on branch {FEATURE}", scenario_env("web", branch=FEATURE)),
)


def _known(name: str) -> bool:
    """Predefined variables a scenario does not set are unknown, other undefined ones are null."""
    return not name.startswith(("CI_", "GITLAB_"))


class Env(dict):
    def get(self, key, default=None):  # type: ignore[override]
        if key in self:
            return self[key]
        return None if _known(key) else UNKNOWN


# ----------------------------------------------------------------------------- model

class Entry(Record):
    key: Y.Node | None
    value: Y.Node
    source: Source


class Line(Record):
    """One script line (a scalar of `before_script`/`script`/`after_script`)."""

    section: str
    node: Y.ScalarNode
    source: Source
    index: int  # order inside the job


class Hit(Record):
    kind: str
    job: Job
    detail: str
    line: Line
    command: SimpleCommand
    offset: int

    @property
    def masked(self) -> bool:
        c = self.command
        return c.masked or c.in_condition or c.negated or self.line.section == "after_script"

    def span(self) -> Span:
        locate = scalar_locator(self.line.source, self.line.node)
        return locate(self.offset + self.command.start, self.offset + self.command.end)

    def where(self) -> str:
        return f"`{self.line.section}` of job '{self.job.name}'"


class Outcome(Record):
    when: str  # on_success | manual | always | on_failure | delayed | never
    allow_failure: Tri = False
    variables: dict[str, Any] = field(default_factory=dict)


class Job(Record):
    name: str
    key: Y.Node
    source: Source
    entries: dict[str, Entry]
    variables: dict[str, Any]
    pipeline: GitLabPipeline

    def get(self, key: str) -> Y.Node | None:
        entry = self.entries.get(key)
        return entry.value if entry else None

    def span(self, key: str | None = None) -> Span:
        entry = self.entries.get(key) if key else None
        if entry is not None:
            return Y.span(entry.source, entry.key if entry.key is not None and key != "tags" else entry.value)
        return Y.span(self.source, self.key)

    @property
    def stage(self) -> str:
        return Y.text(self.get("stage")) or "test"

    @cached_property
    def needs(self) -> list[tuple[str, bool]] | None:
        """(job, optional) pairs; None when the job has no `needs:` (stage order decides)."""
        node = self.get("needs")
        if node is None or Y.is_null(node):
            return None
        out: list[tuple[str, bool]] = []
        for item in self.pipeline.flatten(node):
            if Y.is_scalar(item) and Y.text(item):
                out.append((Y.text(item), False))  # type: ignore[arg-type]
            elif Y.is_map(item) and Y.text(Y.get(item, "job")) and Y.get(item, "pipeline") is None \
                    and Y.get(item, "project") is None:
                out.append((Y.text(Y.get(item, "job")), Y.scalar(Y.get(item, "optional")) is True))  # type: ignore
        return out

    @cached_property
    def lines(self) -> list[Line]:
        out: list[Line] = []
        for section in ("before_script", "script", "after_script"):
            entry = self.entries.get(section)
            if entry is None:
                continue
            for node in self.pipeline.flatten(entry.value):
                if Y.is_scalar(node) and Y.text(node):
                    out.append(Line(section, node, self.pipeline.source_of(node, entry.source), len(out)))
        return out

    @cached_property
    def hits(self) -> list[Hit]:
        out: list[Hit] = []
        repository = self.pipeline.repository_root()
        cwd: str | None = "."  # GitLab runs every line of a job's script in one shell
        env = {**self.pipeline.global_variables, **self.variables}
        for line in self.lines:
            commands = live_commands(line.node.value, errexit=True, pipefail=True)
            for command, offset in commands:
                argv = command.argv()
                found = classify(argv)
                if is_make(argv):
                    found = found + recipe_actions(self.pipeline.project, repository, argv)
                out.extend(Hit(kind, self, detail, line, command, offset) for kind, detail in found)
            out.extend(Hit(kind, self, detail, line, command, offset) for command, offset, kind, detail
                       in followed_script_hits(commands, self.pipeline.project, repository, cwd, env))
            cwd = after_cd(commands, cwd, env)
        return out

    def when(self) -> str:
        return Y.text(self.get("when")) or "on_success"

    def allow_failure(self) -> Tri:
        node = self.get("allow_failure")
        if node is None:
            return self.when() == "manual" and self.get("rules") is None
        if Y.is_map(node):
            return UNKNOWN  # only for some exit codes
        return Y.scalar(node) is True


class GitLabPipeline:
    kind = "gitlab"

    def __init__(self, source: Source, yaml: YamlFile, node: Y.MappingNode) -> None:
        self.source = source
        self.yaml = yaml
        self.node = node
        self.project: Project | None = None
        self.included: list[str] = []  # rel paths of local files merged in
        self.unresolved: list[tuple[Y.Node, str]] = []  # includes that cannot be read
        self._sources: dict[int, Source] = {}

    # --------------------------------------------------------------- merging the files

    def source_of(self, node: Y.Node, default: Source) -> Source:
        return self._sources.get(id(node), default)

    def repository_root(self) -> str | None:
        """The folder of a `.gitlab-ci.yml`, relative to the scanned root: what its paths are
        relative to (None for an included file, whose repository root is its includer's)."""
        folder, _, name = (self.source.rel_path or "").rpartition("/")
        return folder if name == ".gitlab-ci.yml" else None

    def attach(self, project: Project) -> GitLabPipeline:
        if self.project is None:
            self.project = project
            self.__dict__.pop("top", None)
        return self

    def _mark(self, node: Y.Node, source: Source) -> None:
        if source is self.source:
            return
        for _, sub in Y.walk(node):
            self._sources.setdefault(id(sub), source)

    def _include_paths(self, node: Y.Node | None) -> list[tuple[Y.Node, str | None]]:
        items = Y.items(node) if Y.is_seq(node) else [node] if node is not None and not Y.is_null(node) else []
        out: list[tuple[Y.Node, str | None]] = []
        for item in items:
            if Y.is_scalar(item):
                text = Y.text(item) or ""
                out.append((item, None if "://" in text else text))
            elif Y.is_map(item):
                local = Y.text(Y.get(item, "local"))
                out.append((item, local))
        return out

    def _collect(self, node: Y.MappingNode, source: Source, top: dict[str, Entry], seen: set[str], depth: int) -> None:
        for item, rel in self._include_paths(Y.get(node, "include")):
            if rel is None:
                self.unresolved.append((item, "a remote, project, template or component include"))
                continue
            for path in self._local_files(rel):
                key = path.as_posix()
                if key in seen or len(seen) > MAX_INCLUDES or depth > 10:
                    continue
                seen.add(key)
                included = self.project.read_file(path) if self.project else None
                if included is None:
                    self.unresolved.append((item, f"`{rel}` cannot be read"))
                    continue
                loaded = load_yaml(included, self.project.limits) if self.project else None
                docs = [d for d in (loaded.documents if loaded else []) if Y.is_map(d)]
                if not docs:
                    continue
                self.included.append(included.rel_path)
                self._mark(docs[0], included)
                self._collect(docs[0], included, top, seen, depth + 1)
        for key, value in Y.pairs(node):
            name = Y.key_text(key)
            if name is None or name == "include":
                continue
            previous = top.get(name)
            if previous is not None and Y.is_map(previous.value) and Y.is_map(value) and name not in GLOBAL_KEYS:
                merged = dict(self._job_entries(previous))
                merged.update({Y.key_text(k): Entry(k, v, source) for k, v in Y.pairs(value) if Y.key_text(k)})
                self._merged[name] = merged
            elif name in self._merged:
                self._merged.pop(name)
            top[name] = Entry(key, value, source)

    def _local_files(self, rel: str) -> list[Path]:
        if self.project is None:
            return []
        root = self.project.root
        rel = rel.strip().lstrip("/")
        if not rel:
            return []
        if any(ch in rel for ch in "*?["):
            return [root / f for f in self.project.files.glob(rel)[:MAX_INCLUDES]]
        return [root / rel]

    def _job_entries(self, entry: Entry) -> dict[str, Entry]:
        if entry.key is not None and Y.key_text(entry.key) in self._merged:
            return self._merged[Y.key_text(entry.key)]  # type: ignore[index]
        return {Y.key_text(k): Entry(k, v, entry.source) for k, v in Y.pairs(entry.value) if Y.key_text(k)}  # type: ignore

    @cached_property
    def top(self) -> dict[str, Entry]:
        self._merged: dict[str, dict[str, Entry]] = {}
        self.included, self.unresolved = [], []
        top: dict[str, Entry] = {}
        self._collect(self.node, self.source, top, {self.source.rel_path}, 0)
        return top

    def entry(self, key: str) -> Entry | None:
        return self.top.get(key)

    def deref(self, node: Y.Node, depth: int = 0) -> Y.Node | None:
        """Follow a `!reference [job, key, ...]`."""
        if node.tag != REFERENCE_TAG or depth > 10:
            return node
        path = [Y.text(n) for n in Y.items(node)]
        if not path or any(p is None for p in path):
            return None
        entry = self.top.get(path[0])  # type: ignore[arg-type]
        if entry is None:
            return None
        current: Y.Node | None = self._resolved_entries(path[0]).get(path[1]).value \
            if len(path) > 1 and self._resolved_entries(path[0]).get(path[1]) else (entry.value if len(path) == 1 else None)  # type: ignore
        for key in path[2:]:
            current = Y.get(current, key)  # type: ignore[arg-type]
        return self.deref(current, depth + 1) if current is not None else None

    def flatten(self, node: Y.Node | None, depth: int = 0) -> list[Y.Node]:
        """A string or (nested) list, `!reference`s followed, as a flat list of nodes."""
        if node is None or depth > 10:
            return []
        node = self.deref(node)
        if node is None:
            return []
        if Y.is_seq(node):
            out: list[Y.Node] = []
            for item in Y.items(node):
                out.extend(self.flatten(item, depth + 1))
            return out
        return [node]

    # --------------------------------------------------------------- jobs

    def _resolved_entries(self, name: str, trail: tuple[str, ...] = ()) -> dict[str, Entry]:
        cache = self.__dict__.setdefault("_resolved", {})
        if name in cache:
            return cache[name]
        entry = self.top.get(name)
        if entry is None or not Y.is_map(entry.value) or name in trail or len(trail) > 11:
            return {}
        own = self._job_entries(entry)
        result: dict[str, Entry] = {}
        variables: dict[str, Entry] = {}
        extends = own.get("extends")
        parents = self.flatten(extends.value) if extends else []
        for parent in parents:
            parent_name = Y.text(parent)
            if parent_name:
                inherited = self._resolved_entries(parent_name, trail + (name,))
                result.update(inherited)
                if "variables" in inherited:
                    variables.update(self._variables_entries(inherited["variables"]))
        result.update(own)
        if "variables" in own:
            variables.update(self._variables_entries(own["variables"]))
        if variables:
            result["__variables__"] = variables  # type: ignore[assignment]
        cache[name] = result
        return result

    @staticmethod
    def _variables_entries(entry: Any) -> dict[str, Any]:
        if isinstance(entry, dict):
            return entry
        out: dict[str, Any] = {}
        for k, v in Y.pairs(entry.value):
            name = Y.key_text(k)
            if name is None:
                continue
            if Y.is_map(v):
                v = Y.get(v, "value")
            out[name] = Y.text(v) if Y.is_scalar(v) else None
        return out

    @cached_property
    def global_variables(self) -> dict[str, Any]:
        entry = self.top.get("variables")
        return self._variables_entries(entry) if entry is not None else {}

    @cached_property
    def jobs(self) -> dict[str, Job]:
        jobs: dict[str, Job] = {}
        default = self.top.get("default")
        defaults: dict[str, Entry] = {}
        for key in ("image", "before_script", "after_script", "services"):
            if key in self.top:
                defaults[key] = self.top[key]
        if default is not None and Y.is_map(default.value):
            for k, v in Y.pairs(default.value):
                if Y.key_text(k):
                    defaults[Y.key_text(k)] = Entry(k, v, self.source_of(v, default.source))  # type: ignore[index]
        for name, entry in self.top.items():
            if name in GLOBAL_KEYS or name.startswith(".") or not Y.is_map(entry.value):
                continue
            entries = dict(self._resolved_entries(name))
            if not any(k in entries for k in ("script", "trigger", "run")):
                continue
            variables = dict(entries.pop("__variables__", {}) or {})  # type: ignore[arg-type]
            inherit = Y.get(entries["inherit"].value, "default") if "inherit" in entries else None
            allowed = None
            if inherit is not None:
                value = Y.scalar(inherit)
                allowed = set() if value is False else {Y.text(n) for n in Y.items(inherit)} if Y.is_seq(inherit) \
                    else None
            for key, value in defaults.items():
                if key not in entries and (allowed is None or key in allowed):
                    entries[key] = value
            jobs[name] = Job(name, entry.key, entry.source, entries, variables, self)  # type: ignore[arg-type]
        return jobs

    @cached_property
    def stages(self) -> list[str]:
        entry = self.top.get("stages") or self.top.get("types")
        if entry is None or not Y.is_seq(entry.value):
            return DEFAULT_STAGES
        named = [Y.text(n) for n in self.flatten(entry.value) if Y.text(n)]
        return [".pre"] + [s for s in named if s not in (".pre", ".post")] + [".post"]  # type: ignore[misc]

    def stage_index(self, job: Job) -> int:
        try:
            return self.stages.index(job.stage)
        except ValueError:
            return len(self.stages)  # an undefined stage: GitLab rejects the job; keep it last

    @cached_property
    def hits(self) -> list[Hit]:
        return [hit for job in self.jobs.values() for hit in job.hits]

    # --------------------------------------------------------------- scenarios

    def env(self, scenario: Scenario, extra: dict[str, Any] | None = None) -> Env:
        env = Env(scenario.env)
        for name, value in self.global_variables.items():
            env.setdefault(name, value)
        env.update(self.workflow_variables(scenario))
        if extra:
            env.update(extra)
        return env

    def condition(self, node: Y.Node | None, env: Env) -> Tri:
        text = Y.text(node)
        if text is None:
            return UNKNOWN
        try:
            return GE.evaluate(GE.parse(text), env)
        except GE.GitLabExprError:
            return UNKNOWN
        except RecursionError:
            return UNKNOWN

    def decide_rules(self, rules: Y.Node | None, env: Env, default_when: str = "on_success",
                     allow: Tri = False) -> list[Outcome]:
        """Possible outcomes of a first-match `rules:` list (several when a clause is unknown)."""
        out: list[Outcome] = []
        for rule in self.flatten(rules):
            if not Y.is_map(rule):
                continue
            match: Tri = True
            if Y.get(rule, "if") is not None:
                match = and3(match, self.condition(Y.get(rule, "if"), env))
            for clause in ("changes", "exists"):
                if Y.get(rule, clause) is not None:
                    match = and3(match, self._exists(Y.get(rule, clause)) if clause == "exists" else UNKNOWN)
            if match is False:
                continue
            when = Y.text(Y.get(rule, "when")) or default_when
            allow_node = Y.get(rule, "allow_failure")
            outcome = Outcome(when, (Y.scalar(allow_node) is True) if allow_node is not None else allow,
                              self._variables_entries(Entry(None, Y.get(rule, "variables"), self.source))
                              if Y.is_map(Y.get(rule, "variables")) else {})
            out.append(outcome)
            if match is True:
                return out
        out.append(Outcome("never"))
        return out

    def _exists(self, node: Y.Node) -> Tri:
        if self.project is None:
            return UNKNOWN
        patterns = [Y.text(n) for n in self.flatten(Y.get(node, "paths") if Y.is_map(node) else node)]
        if not patterns or any(p is None for p in patterns):
            return UNKNOWN
        files = self.project.files
        return any(files.glob(p) or files.is_dir(p.lstrip("/")) for p in patterns)  # type: ignore[union-attr]

    def workflow_outcomes(self, scenario: Scenario) -> list[Outcome]:
        rules = Y.get(self.top["workflow"].value, "rules") if "workflow" in self.top else None
        if rules is None:
            return [Outcome("always")]
        env = Env(scenario.env)
        for name, value in self.global_variables.items():
            env.setdefault(name, value)
        return self.decide_rules(rules, env, "always")

    def workflow_variables(self, scenario: Scenario) -> dict[str, Any]:
        cache = self.__dict__.setdefault("_wfvars", {})
        if scenario.key not in cache:
            cache[scenario.key] = {}
            outcomes = [o for o in self.workflow_outcomes(scenario) if o.when != "never"]
            if len(outcomes) == 1:
                cache[scenario.key] = outcomes[0].variables
        return cache[scenario.key]

    def pipeline_created(self, scenario: Scenario) -> Tri:
        whens = {o.when for o in self.workflow_outcomes(scenario)}
        if whens == {"never"}:
            return False
        return UNKNOWN if "never" in whens else True

    def job_outcomes(self, job: Job, scenario: Scenario) -> list[Outcome]:
        cache = self.__dict__.setdefault("_outcomes", {})
        key = (job.name, scenario.key)
        if key in cache:
            return cache[key]
        env = self.env(scenario, {k: v for k, v in job.variables.items()})
        rules = job.get("rules")
        if rules is not None and not Y.is_null(rules):
            result = self.decide_rules(rules, env, job.when(), job.allow_failure())
        else:
            present = self._only_except(job, scenario, env)
            result = [] if present is False else [Outcome(job.when(), job.allow_failure())]
            if present is not True:
                result.append(Outcome("never"))
        cache[key] = result
        return result

    def _only_except(self, job: Job, scenario: Scenario, env: Env) -> Tri:
        only, except_ = job.get("only"), job.get("except")
        included: Tri = True
        if only is None or Y.is_null(only):
            included = self._refs_match(["branches", "tags"], scenario)
        else:
            included = self._policy(only, scenario, env, True)
        if except_ is not None and not Y.is_null(except_):
            excluded = self._policy(except_, scenario, env, False)
            included = and3(included, False if excluded is True else True if excluded is False else UNKNOWN)
        return included

    def _policy(self, node: Y.Node, scenario: Scenario, env: Env, only: bool) -> Tri:
        """Whether an only/except policy matches; for `only` every given key must match."""
        if Y.is_map(node):
            results: list[Tri] = []
            refs = Y.get(node, "refs")
            if refs is not None:
                results.append(self._refs_match([Y.text(n) or "" for n in self.flatten(refs)], scenario))
            variables = Y.get(node, "variables")
            if variables is not None:
                env_value: Tri = False
                for expr in self.flatten(variables):
                    env_value = or3(env_value, self.condition(expr, env))
                results.append(env_value)
            if Y.get(node, "changes") is not None or Y.get(node, "kubernetes") is not None:
                results.append(UNKNOWN)
            if not results:
                return True if only else False
            out: Tri = True if only else False
            for r in results:
                out = and3(out, r) if only else or3(out, r)
            return out
        return self._refs_match([Y.text(n) or "" for n in self.flatten(node)], scenario)

    @staticmethod
    def _refs_match(refs: list[str], scenario: Scenario) -> Tri:
        source = scenario.env["CI_PIPELINE_SOURCE"]
        branch, tag = scenario.env["CI_COMMIT_BRANCH"], scenario.env["CI_COMMIT_TAG"]
        keywords = {"branches": branch is not None and source != "merge_request_event",
                    "tags": tag is not None, "merge_requests": source == "merge_request_event",
                    "pushes": source == "push", "schedules": source == "schedule", "web": source == "web",
                    "api": source == "api", "triggers": source == "trigger", "pipelines": source == "pipeline",
                    "external": source == "external", "chat": source == "chat",
                    "external_pull_requests": source == "external_pull_request_event"}
        name = branch if branch is not None else tag
        result: Tri = False
        for ref in refs:
            ref = ref.strip()
            if ref in keywords:
                result = or3(result, keywords[ref])
            elif name is None or source == "merge_request_event":
                continue
            elif len(ref) >= 2 and ref.startswith("/") and ref.rfind("/") > 0:
                end = ref.rfind("/")
                try:
                    flags = re.IGNORECASE if "i" in ref[end + 1:] else 0
                    if re.search(ref[1:end], name, flags):
                        result = True
                except re.error:
                    result = or3(result, UNKNOWN)
            elif "@" in ref:
                result = or3(result, UNKNOWN)  # `main@group/project`
            elif ref == name:
                result = True
        return result

    def state(self, job: Job, scenario: Scenario) -> Tri:
        """Is the job part of the pipeline in this scenario (True, False or UNKNOWN)?"""
        created = self.pipeline_created(scenario)
        if created is False:
            return False
        whens = {o.when for o in self.job_outcomes(job, scenario)}
        present: Tri = False if whens <= {"never"} else (UNKNOWN if "never" in whens else True)
        if present is not False and job.needs:
            for need, optional in job.needs:
                other = self.jobs.get(need)
                if not optional and (other is None or self.state(other, scenario) is False):
                    return False  # GitLab refuses to create a pipeline whose `needs` job is missing
        return and3(created, present)

    def scenarios(self) -> list[Scenario]:
        return [s for s in SCENARIOS if any(self.state(j, s) is not False for j in self.jobs.values())]

    def possible(self, job: Job) -> bool:
        return any(self.state(job, s) is not False for s in SCENARIOS)

    def existing(self, kind: str) -> list[Hit]:
        return [h for h in self.hits if h.kind == kind and self.possible(h.job)]

    # --------------------------------------------------------------- order and gating

    def predecessors(self, job: Job, scenario: Scenario) -> list[Job]:
        if job.needs is not None:
            return [self.jobs[n] for n, _ in job.needs if n in self.jobs and self.state(self.jobs[n], scenario) is not False]
        index = self.stage_index(job)
        return [j for j in self.jobs.values() if self.stage_index(j) < index and self.state(j, scenario) is not False]

    def ancestors(self, job: Job, scenario: Scenario) -> set[str]:
        seen: set[str] = set()
        stack = [job]
        while stack:
            current = stack.pop()
            for pred in self.predecessors(current, scenario):
                if pred.name not in seen and pred is not job:
                    seen.add(pred.name)
                    stack.append(pred)
        return seen

    def runs_after_failure(self, target: Job, failed: Job, scenario: Scenario) -> bool:
        """Whether `target` may still run when `failed` fails in this scenario."""
        bad: dict[str, bool] = {}

        def is_bad(job: Job, trail: frozenset[str]) -> bool:
            if job.name in bad:
                return bad[job.name]
            if job is failed:
                bad[job.name] = True
                return True
            if job.name in trail:
                return False
            preds = [p for p in self.predecessors(job, scenario) if p is not job]
            any_bad = any(is_bad(p, trail | {job.name}) for p in preds)
            runs = runs_given(job, any_bad)
            bad[job.name] = not runs and any_bad
            return bad[job.name]

        def runs_given(job: Job, any_bad: bool) -> bool:
            whens = {o.when for o in self.job_outcomes(job, scenario) if o.when != "never"}
            return any(w == "always" or (w == "on_failure" and any_bad) or
                       (w not in ("always", "on_failure") and not any_bad) for w in whens)

        preds = [p for p in self.predecessors(target, scenario) if p is not target]
        any_bad = any(is_bad(p, frozenset({target.name})) for p in preds)
        return runs_given(target, any_bad)

    def gate(self, test: Hit, push: Hit, scenario: Scenario) -> str:
        """'' when a failure of `test` stops `push` in `scenario`; otherwise why it does not."""
        tjob, pjob = test.job, push.job
        where = f"the GPU test in job '{tjob.name}'"
        if test.masked:
            if test.line.section == "after_script":
                return f"{where} is in `after_script`, whose failure does not fail the job"
            return f"{where} cannot gate it: its failure is hidden (`{' '.join(test.command.argv()[:3])}` is " \
                   "masked by `|| true`, a pipe or an `if` test)"
        if self.state(tjob, scenario) is False:
            return f"{where} does not run on {scenario.label}"
        if any(o.allow_failure is not False for o in self.job_outcomes(tjob, scenario) if o.when != "never"):
            return f"job '{tjob.name}' has `allow_failure: true`, so its failure stops nothing"
        if tjob is pjob:
            if push.line.section == "after_script":
                return "the push is in `after_script`, which runs even when the job's script failed"
            if test.line.index > push.line.index or (test.line.index == push.line.index
                                                       and test.command.start > push.command.start):
                return f"{where} runs after the push"
            return ""
        if tjob.name not in self.ancestors(pjob, scenario):
            how = "its `needs:` does not include it" if pjob.needs is not None else \
                f"it is in stage '{pjob.stage}', not in a later stage than '{tjob.stage}'"
            return (f"job '{pjob.name}' does not wait for job '{tjob.name}', which runs the GPU test ({how}; add "
                    f"`needs: [{tjob.name}]` or put the push in a later stage)")
        if self.runs_after_failure(pjob, tjob, scenario):
            return (f"job '{pjob.name}' still runs when job '{tjob.name}' failed (`when: always` or "
                    f"`when: on_failure` on it or on a job it needs)")
        return ""

    def untested(self, push: Hit) -> list[tuple[Scenario, Tri, str]]:
        out = []
        tests = [t for t in self.hits if t.kind == TEST]
        for s in SCENARIOS:
            state = self.state(push.job, s)
            if state is False:
                continue
            reasons = []
            for test in tests:
                reason = self.gate(test, push, s)
                if not reason:
                    break
                reasons.append(reason)
            else:
                out.append((s, state, reasons[0] if reasons else "the pipeline runs no GPU test"))
        return out

    def outside_main(self, push: Hit) -> list[tuple[Scenario, Tri]]:
        return [(s, st) for s in SCENARIOS if not s.main_push and (st := self.state(push.job, s)) is not False]

    def gpu_work(self, job: Job) -> list[Hit]:
        return [h for h in job.hits if h.kind in (TEST, GPU)]

    # --------------------------------------------------------------- runners

    def runner_tags(self, job: Job) -> list[list[str | None]]:
        """The job's tags, one list per `parallel: matrix` leg; None stands for an unknown tag."""
        node = job.get("tags")
        if node is None or Y.is_null(node):
            return [[]]
        legs: list[dict[str, str]] = [{}]
        matrix = Y.get(job.get("parallel"), "matrix") if Y.is_map(job.get("parallel")) else None
        if matrix is not None:
            legs = []
            for entry in self.flatten(matrix):
                combos: list[dict[str, str]] = [{}]
                for k, v in Y.pairs(entry):
                    values = [Y.text(n) for n in self.flatten(v)]
                    combos = [dict(c, **{Y.key_text(k): val}) for c in combos for val in values if val is not None]  # type: ignore
                legs.extend(combos)
            legs = legs[:32] or [{}]
        out: list[list[str | None]] = []
        variables = dict(self.global_variables, **job.variables)
        for leg in legs:
            tags: list[str | None] = []
            for tag in self.flatten(node):
                text = Y.text(tag)
                if text is None:
                    tags.append(None)
                    continue
                tags.append(_expand(text, dict(variables, **leg)))
            out.append(tags)
        return out


_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


def _expand(text: str, variables: dict[str, Any]) -> str | None:
    unknown = False

    def sub(m: re.Match[str]) -> str:
        nonlocal unknown
        value = variables.get(m.group(1))
        if not isinstance(value, str) or "$" in value:
            unknown = True
            return ""
        return value

    result = _VAR.sub(sub, text)
    return None if unknown else result


def gpu_tag(tags: list[str | None], extra: tuple[str, ...], profile: str = "lab") -> tuple[str, str]:
    """('gpu' | 'not-gpu' | 'unknown', reason). In production a tag that names no GPU gpulint knows is
    "cannot tell" (a team's runner tags are its own); without tags a job may land on a shared runner."""
    known = [t for t in tags if t is not None]
    if any(is_gpu_label(t, extra) for t in known):
        return "gpu", ""
    if any(t is None for t in tags):
        return "unknown", f"its tags cannot be known statically (known: [{', '.join(known)}])"
    if not known:
        return "not-gpu", ("it has no `tags:`, so any runner may take it, such as GitLab's shared runners, "
                           "which have no GPU")
    if profile == "production":
        return "unknown", (f"its tags [{', '.join(known)}] name no GPU gpulint knows; if that runner has a GPU, "
                           "list the tag in `gpu-runner-labels`")
    return "not-gpu", f"its tags [{', '.join(known)}] name no GPU runner"


def pipelines(project: Project) -> list[GitLabPipeline]:
    """The project's GitLab pipelines, each attached to the project; a file that another pipeline
    includes is part of that pipeline and not judged on its own."""
    def compute() -> list[GitLabPipeline]:
        all_ = sorted((p.attach(project) for p in project.of_kind("gitlab")),
                      key=lambda p: (p.source.rel_path, Y.start(p.node)))
        included = {rel for p in all_ for rel in (p.top and p.included)}
        return [p for p in all_ if p.source.rel_path not in included]
    return project.memo("gitlab-pipelines", compute)


def judged(pipeline: GitLabPipeline, project: Project) -> bool:
    return any(p is pipeline for p in pipelines(project))


def reports_missing(project: Project, pipeline: GitLabPipeline, kind: str) -> bool:
    """A missing build/test/push is reported once, on the first pipeline that does any work."""
    all_ = pipelines(project)
    if any(p.existing(kind) for p in all_):
        return False
    doers = [p for p in all_ if any(p.existing(k) for k in (BUILD, TEST, PUSH))]
    return (doers or all_ or [pipeline])[0] is pipeline


def scenario_list(items: list[tuple[Scenario, Tri]]) -> str:
    parts = [f"on {s.label}" + (" (a rule cannot be decided statically: may run)" if st is UNKNOWN else "")
             for s, st in items]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
