"""One GPU question asked four times: the HEALTHCHECK, the probes, CI and the smoke test together.

Cross-artifact helpers for the GL5xx lifecycle rules:

* which artifacts belong to the same project (``partners``): a Dockerfile, a workflow and a
  Deployment pair when they sit under the same folder; when several candidates exist the nearest
  ones (longest common folder prefix) are taken, all of them on a tie. A workflow's folder is
  the one holding ``.github/``; an artifact embedded in a lab answers file pairs with the other
  artifacts of that file.
* which scripts a command runs (``scripts_run``), read from shell words and exec arrays the
  same way ``gpucheck`` reads them, so HEALTHCHECK, probe and CI commands can be compared;
* where a path inside the image comes from (``in_image``), via ``buildcontext.origin_of``;
* the probe timing knobs of a container with Kubernetes' defaults (``ProbeTiming``).
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from gpulint.artifacts.dockerfile.context import Origin, origin_of, workdir_at
from gpulint.artifacts import gpucheck
from gpulint.artifacts.dockerfile.healthcheck import Healthcheck, duration_seconds, effective_healthcheck, final_verdict
from gpulint.artifacts.smoketest import SMOKE_NAMES
from gpulint.core.records import Record, compared_without, field
from gpulint.core.source import EmbeddedSource
from gpulint.project.config import profile_of
from gpulint.syntax.python import PythonFile, parse_python, touches_gpu
from gpulint.syntax.shell import command_string, is_shell, parse_shell, script_file

if TYPE_CHECKING:  # YAML, Kubernetes and CI models load with the files that need them
    from gpulint.artifacts.dockerfile.model import Dockerfile, Instruction, Stage
    from gpulint.ci.images import DockerRun
    from gpulint.syntax import yamlnode as Y

_PYTHON = re.compile(r"^(python|python3|python3\.\d+|python2(\.\d+)?|pypy3?)$")


# ----------------------------------------------------------------------------- pairing

def _folder(artifact: Any) -> tuple[str, ...]:
    source = getattr(artifact, "source", None)
    if source is None:
        return ()
    rel = source.rel_path
    if isinstance(source, EmbeddedSource):
        return tuple(rel.split("/"))  # the answers file itself: its artifacts pair together
    parts = rel.split("/")[:-1]
    if ".github" in parts:
        parts = parts[: parts.index(".github")]
    elif getattr(artifact, "kind", None) == "ci":
        # A folder that only holds CI configuration (`tekton/`, `.ci/`) serves the folder above it.
        while parts and parts[-1].lower() in _CI_FOLDERS:
            parts = parts[:-1]
    return tuple(p for p in parts if p not in ("", "."))


_CI_FOLDERS = {".tekton", "tekton", ".ci", "ci", ".gitlab", "gitlab-ci", "cloudbuild", ".cloudbuild", "pipelines",
               ".pipelines", "pipeline", "cicd", "ci-cd"}


def partners(project: Any, artifact: Any, kind: str) -> list[Any]:
    """Artifacts of ``kind`` that belong to the same project as ``artifact`` (nearest folders).

    A candidate qualifies when one of the two folders contains the other (``app/`` and
    ``app/k8s/``); among those the ones sharing the longest folder prefix win, all of them on a tie.
    Never across sibling repositories of the scanned tree.
    """
    return lifecycle_facts(project).folders(kind).partners(artifact)


def repository_of(project: Any, artifact: Any) -> str:
    """The repository (within the scanned tree) an artifact belongs to; see ``ProjectFiles.repository_of``."""
    source = getattr(artifact, "source", None)
    if source is None or isinstance(source, EmbeddedSource):
        return ""
    return project.files.repository_of(source.rel_path)


class _FolderIndex:
    """Artifacts of one kind by repository and folder: exactly there, and anywhere at or below
    each folder; those of a lab answers file by that file."""

    def __init__(self, project: Any, artifacts: list[Any]):
        self.project = project
        self.exact: dict[tuple[str, tuple[str, ...]], list[Any]] = {}
        self.under: dict[tuple[str, tuple[str, ...]], list[Any]] = {}
        self.embedded: dict[tuple[str, ...], list[Any]] = {}
        for artifact in artifacts:
            folder = _folder(artifact)
            if isinstance(getattr(artifact, "source", None), EmbeddedSource):
                self.embedded.setdefault(folder, []).append(artifact)
                continue
            repository = repository_of(project, artifact)
            self.exact.setdefault((repository, folder), []).append(artifact)
            for depth in range(len(folder) + 1):
                self.under.setdefault((repository, folder[:depth]), []).append(artifact)

    def partners(self, artifact: Any) -> list[Any]:
        mine = _folder(artifact)
        if isinstance(getattr(artifact, "source", None), EmbeddedSource):
            return [o for o in self.embedded.get(mine, []) if o is not artifact]
        repository = repository_of(self.project, artifact)
        # Folders at or below mine share all of my folder: they win if there are any.
        below = [o for o in self.under.get((repository, mine), ()) if o is not artifact]
        if below:
            return below
        for depth in range(len(mine) - 1, -1, -1):  # else the nearest folder above mine
            above = [o for o in self.exact.get((repository, mine[:depth]), ()) if o is not artifact]
            if above:
                return above
        return []


class LifecycleFacts:
    """What the lifecycle rules read across one project's files, computed once and indexed."""

    def __init__(self, project: Any) -> None:
        self.project = project
        self._folders: dict[str, _FolderIndex] = {}
        self._under: dict[str, list[str]] = {}
        self._pushes: dict[tuple[int, ...], PushIndex] = {}

    def folders(self, kind: str) -> _FolderIndex:
        index = self._folders.get(kind)
        if index is None:
            index = self._folders[kind] = _FolderIndex(self.project, self.project.of_kind(kind))
        return index

    @cached_property
    def smoke_tests(self) -> list[PythonFile]:
        """The smoke tests of every lifecycle project (each source once): the Python scripts GPU
        images (or images that cannot be told apart) run as their HEALTHCHECK, and the scripts
        named as smoke tests that a pipeline or a manifest goes with."""
        project = self.project
        production = profile_of(project) == "production"
        found: dict[int, PythonFile] = {}
        for dockerfile in project.of_kind("dockerfile"):
            if not (partners(project, dockerfile, "workflow") or partners(project, dockerfile, "kubernetes")):
                continue
            image = image_check(dockerfile)
            if image is None or dockerfile.context is None or is_gpu_dockerfile(dockerfile) is False:
                continue  # a CPU image's health check is not a GPU smoke test
            for script in image.healthcheck_scripts():
                if not script.python:
                    continue
                origin = image.origin(script.path)
                source = origin.source
                if source is None and origin.status == "missing":
                    source = dockerfile.context.read(posixpath.basename(image.absolute(script.path)))
                if source is None:
                    continue
                parsed = parse_python(source)
                if production and not touches_gpu(parsed) and posixpath.basename(source.rel_path) not in SMOKE_NAMES:
                    continue  # an HTTP or process check (docker-stacks' docker_healthcheck.py): GL104's business
                found.setdefault(id(source), parsed)
        for script in project.of_kind("smoketest"):
            source = script.source
            named = posixpath.basename(source.rel_path) in SMOKE_NAMES
            if isinstance(source, EmbeddedSource) or (named and (
                    partners(project, script, "workflow") or partners(project, script, "kubernetes"))):
                if production and not isinstance(source, EmbeddedSource) and not touches_gpu(script):
                    continue  # named so, but an HTTP or API test that never touches a GPU library
                found.setdefault(id(source), script)
        return [s for s in found.values() if s.tree is not None]

    def pushes_of(self, pipelines: list[Any]) -> PushIndex:
        """What these CI pipelines push, indexed once per set of pipelines (the artifacts of one
        folder share theirs)."""
        key = tuple(id(p) for p in pipelines)
        found = self._pushes.get(key)
        if found is None:
            found = self._pushes[key] = PushIndex([site for p in pipelines for site in p.images.pushes])
        return found

    @cached_property
    def real_dockerfiles(self) -> list:
        """Dockerfiles that are files of the scanned tree (not answers-file fields)."""
        return [d for d in self.project.of_kind("dockerfile")
                if getattr(d.context, "directory", None) is not None and d.source.path is not None]

    @cached_property
    def dockerfiles_by_path(self) -> dict[str, Any]:
        """The Dockerfiles that are files of the scanned tree, by path."""
        return {d.source.rel_path: d for d in self.project.of_kind("dockerfile") if d.source.path is not None}

    def dockerfiles_under(self, root: str) -> list[str]:
        """The real Dockerfiles under a folder, relative to it, in order."""
        found = self._under.get(root)
        if found is None:
            prefix = root + "/" if root else ""
            found = self._under[root] = sorted(d.source.rel_path[len(prefix):] for d in self.real_dockerfiles
                                               if d.source.rel_path.startswith(prefix))
        return found

    @cached_property
    def promotion(self) -> PromotionPatterns:
        return PromotionPatterns(self.project)


class PromotionPatterns:
    """The `tag_pattern`s of the project's promotion flows, and which tags they admit (each
    distinct tag and pattern compared once)."""

    def __init__(self, project: Any) -> None:
        from gpulint.artifacts import rollout as R
        from gpulint.syntax import yamlnode as Y
        from gpulint.syntax.images import tag_pattern

        self.patterns: list[tuple[str, Any]] = []  # (stage label, TagPattern)
        for spec in project.of_kind("rollout"):
            for stage in R.stages(spec.promotion_flow) or []:
                pair = stage.field("tag_pattern")
                values = Y.items(pair[1]) if pair and Y.is_seq(pair[1]) else [pair[1]] if pair else []
                for value in values:
                    text = Y.text(value) if Y.is_scalar(value) else None
                    if text and text.strip():
                        self.patterns.append((stage.label, tag_pattern(text)))
        distinct: dict[tuple[str, str], Any] = {}
        for _, pattern in self.patterns:
            distinct.setdefault((pattern.kind, pattern.text), pattern)
        self._distinct = list(distinct.values())
        self._admits: dict[str, bool] = {}

    @cached_property
    def readable(self) -> bool:
        """Every pattern can be read (a regex that compiles)."""
        return all(p.matches("x") is not None for p in self._distinct)

    def admits(self, tag: str) -> bool:
        found = self._admits.get(tag)
        if found is None:
            found = self._admits[tag] = any(p.matches(tag) for p in self._distinct)
        return found

    @cached_property
    def shown(self) -> str:
        return ", ".join(f"{label}: {p.text}" for label, p in self.patterns)


def lifecycle_facts(project: Any) -> LifecycleFacts:
    return project.facts(LifecycleFacts)


class PushIndex:
    """The references one repository's pipelines push, looked up by image name.

    A pushed reference (``*`` for its unknown parts) can only name a repository whose last path
    segment it ends with when its own last segment is literal, so each deployed image is
    compared with those and with the references whose last segment is a pattern."""

    def __init__(self, sites: list) -> None:
        from gpulint.syntax.images import informative

        self.sites = sites
        self.informative = all(informative(s.target) for s in sites)
        self._by_name: dict[str, list[int]] = {}
        self._patterns: list[int] = []
        for i, site in enumerate(sites):
            tails = _push_tails(site.target)
            if tails is None:
                self._patterns.append(i)
            else:
                for tail in tails:
                    self._by_name.setdefault(tail, []).append(i)

    @cached_property
    def names(self) -> list[str]:
        """The pushed repositories, tags and digests left out, for messages."""
        return sorted({s.target.split("@")[0].rsplit(":", 1)[0] if ":" in s.target.split("/")[-1]
                       else s.target for s in self.sites})

    def pushes_repository(self, ref: Any) -> bool:
        """Whether a pushed reference written out (no unknown part) names the repository path of
        ``ref`` (`fishaudio/fish-speech`) on any registry: projects publish to several."""
        from gpulint.syntax.images import parse_image

        wanted = ref.repository.lower()
        return any("*" not in name and (pushed := parse_image(name)) is not None
                   and pushed.repository.lower() == wanted for name in self.names)

    def pushes(self, ref: Any) -> bool:
        """Whether some pushed reference names the repository of ``ref`` (``pattern_matches``)."""
        from gpulint.syntax.images import pattern_matches

        names = {ref.name, ref.short.lower(), f"{ref.registry}/{ref.repository}".lower()}
        candidates = set(self._patterns)
        for name in names:
            candidates.update(self._by_name.get(name.rpartition("/")[2], ()))
        return any(pattern_matches(self.sites[i].target, ref) for i in sorted(candidates))


def _push_tails(pattern: str) -> set[str] | None:
    """The last path segments a pushed reference can match (as ``pattern_matches`` reads it);
    None when one of its forms ends in a wildcard."""
    from gpulint.syntax.images import parse_image

    body = pattern.split("@", 1)[0]
    slash, colon = body.rfind("/"), body.rfind(":")
    if colon > slash:
        body = body[:colon]
    body = body.lower()
    forms = {body}
    parsed = parse_image(body.replace("*", "x-wild-x"))
    if parsed is not None and "x-wild-x" not in parsed.registry:
        forms.add(parsed.name.replace("x-wild-x", "*"))
    if any("[" in form for form in forms):
        return None  # a character class may hold a "/": compared with every image
    tails = {form.rpartition("/")[2] for form in forms}
    return None if any(ch in tail for tail in tails for ch in "*?") else tails


# ----------------------------------------------------------------------------- commands

class ScriptRun(Record):
    """A script a command runs: ``python3 /app/smoke_test.py`` -> path ``/app/smoke_test.py``."""

    path: str
    python: bool  # run by (or written in) Python
    argv: list[str]


def _commands(argv: list[str] | None, shell: str | None, depth: int = 0) -> Iterator[list[str]]:
    """The words of every simple command a health check or probe runs, ``sh -c`` strings opened."""
    if depth > 3:
        return
    commands: list[list[str]] = [argv] if argv is not None else []
    if shell is not None:
        commands.extend(c.argv() for c in parse_shell(shell).commands if not c.in_function)
    for words in commands:
        if not words:
            continue
        invoked = command_string(words)
        if invoked is not None:
            yield from _commands(None, invoked.text, depth + 1)
        else:
            yield words


def scripts_run(argv: list[str] | None = None, shell: str | None = None) -> list[ScriptRun]:
    """The script files a command runs (exec form ``argv`` or a shell-form string)."""
    return list(_scripts_run(tuple(argv) if argv is not None else None, shell))


@lru_cache(maxsize=4096)
def _scripts_run(argv: tuple[str, ...] | None, shell: str | None) -> tuple[ScriptRun, ...]:
    """Read once per distinct command: probes, HEALTHCHECKs and CI steps repeat the same few."""
    return tuple(_find_scripts(list(argv) if argv is not None else None, shell))


def _find_scripts(argv: list[str] | None, shell: str | None) -> list[ScriptRun]:
    found: list[ScriptRun] = []
    for words in _commands(argv, shell):
        name = os.path.basename(words[0])
        if is_shell(name):
            script = script_file(words)
            if script is not None:
                found.append(ScriptRun(script, False, words))
        elif _PYTHON.match(name):
            i = 1
            while i < len(words):
                arg = words[i]
                if arg in ("-c", "-m"):
                    break
                if arg.startswith("-"):
                    i += 2 if arg in ("-W", "-X") else 1
                    continue
                found.append(ScriptRun(arg, True, words))
                break
        elif "/" in words[0] or words[0].endswith((".py", ".sh")):
            found.append(ScriptRun(words[0], words[0].endswith(".py"), words))
    return found


def starts_python(argv: list[str] | None = None, shell: str | None = None) -> bool:
    """Whether a command starts a Python interpreter (``python3 x.py``, ``sh -c 'python ...'``,
    a ``.py`` script run directly)."""
    return any(_PYTHON.match(os.path.basename(w[0])) or w[0].endswith(".py") for w in _commands(argv, shell))


# ----------------------------------------------------------------------------- the image

@compared_without("_origins")
class ImageCheck(Record):
    """A Dockerfile's final image and its HEALTHCHECK, as the other artifacts see it."""

    dockerfile: Dockerfile
    stage: Stage
    healthcheck: Healthcheck | None
    workdir: str
    _origins: dict[str, Origin] = field(default_factory=dict)

    def absolute(self, path: str) -> str:
        return posixpath.normpath(posixpath.join(self.workdir, path))

    def origin(self, path: str) -> Origin:
        context = self.dockerfile.context
        if context is None:
            return Origin("unknown", reason="no build context")
        return self.origin_at(self.absolute(path))

    def origin_at(self, target: str) -> Origin:
        """Where the file at an absolute path of the final image comes from, traced once per path
        (every probe, HEALTHCHECK and CI step that runs it asks the same question)."""
        found = self._origins.get(target)
        if found is None:
            found = self._origins[target] = origin_of(self.dockerfile, self.stage, target, self.dockerfile.context)
        return found

    def healthcheck_scripts(self) -> list[ScriptRun]:
        hc = self.healthcheck
        if hc is None or hc.none:
            return []
        return scripts_run(hc.exec_argv, hc.shell if hc.exec_argv is None else None)

    def healthcheck_paths(self) -> set[str]:
        return {self.absolute(s.path) for s in self.healthcheck_scripts()}

    def default_command_scripts(self) -> list[ScriptRun]:
        """Scripts the image's ENTRYPOINT + CMD run when `docker run` gives no command."""
        entry = cmd = None
        for ancestor in reversed(self.stage.ancestry()):
            for instruction in ancestor.instructions:
                if instruction.keyword == "ENTRYPOINT":
                    entry, cmd = instruction, None
                elif instruction.keyword == "CMD":
                    cmd = instruction
        words: list[str] = []
        shell: str | None = None
        for instruction in (entry, cmd):
            if instruction is None:
                continue
            exec_form = instruction.exec_form()
            if exec_form is not None:
                words.extend(exec_form)
            elif instruction is entry or not words:
                shell = instruction.body.strip()
                break
        return scripts_run(words or None, shell)


def python_gpu_healthcheck(dockerfile: Dockerfile) -> Healthcheck | None:
    """The final image's HEALTHCHECK when it starts Python (itself or through a script it runs) and
    may initialise CUDA: not one judged to touch no GPU or to be an HTTP request. Its timeout and
    start period must cover CUDA's start-up."""
    image = image_check(dockerfile)
    hc = image.healthcheck if image is not None else None
    if hc is None or hc.none:
        return None
    if not starts_python(hc.exec_argv, hc.shell if hc.exec_argv is None else None) and not any(
            s.python for s in image.healthcheck_scripts()):
        return None
    judged = final_verdict(dockerfile)
    if judged is not None and judged[1].kind in (gpucheck.NOT_GPU, gpucheck.HTTP):
        return None
    return hc


def image_check(dockerfile: Dockerfile) -> ImageCheck | None:
    cache = dockerfile.__dict__
    if "_lifecycle_image" not in cache:
        stage = dockerfile.final_stage
        cache["_lifecycle_image"] = None if stage is None else ImageCheck(
            dockerfile, stage, effective_healthcheck(stage), workdir_at(dockerfile, stage, None))
    return cache["_lifecycle_image"]


def healthcheck_option(healthcheck: Healthcheck, name: str) -> tuple[float | None, Any] | None:
    """(seconds, Flag) of a HEALTHCHECK duration option, None when the option is absent."""
    flag = healthcheck.instruction.flags.get(name)
    if flag is None:
        return None
    return duration_seconds(flag.value.strip()), flag


def flag_span(instruction: Instruction, flag: Any):
    return instruction.args_span(flag.start, flag.end)


# ----------------------------------------------------------------------------- probes

PROBES = ("readinessProbe", "livenessProbe", "startupProbe")
DEFAULTS = {"periodSeconds": 10, "failureThreshold": 3, "timeoutSeconds": 1, "initialDelaySeconds": 0}


def probe_number(probe: Y.Node | None, field: str) -> int | None:
    """A probe's integer field, Kubernetes' default when absent; None when not a number."""
    from gpulint.syntax import yamlnode as Y

    node = Y.get(probe, field)
    if node is None or Y.is_null(node):
        return DEFAULTS[field]
    value = Y.scalar(node)
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value if isinstance(value, int) else None


def exec_argv(probe: Y.Node | None) -> tuple[Y.Node, list[str]] | None:
    """The command node and words of an ``exec`` probe (None when not exec or not a word list)."""
    from gpulint.syntax import yamlnode as Y

    command = Y.get_path(probe, "exec", "command")
    if not Y.is_seq(command):
        return None
    words = [Y.text(w) if Y.is_scalar(w) else None for w in Y.items(command)]
    if not words or any(w is None for w in words):
        return None
    return command, words  # type: ignore[return-value]


def handler_key(probe: Y.Node | None) -> Y.Node | None:
    from gpulint.syntax import yamlnode as Y

    for key, _ in Y.pairs(probe):
        if Y.is_scalar(key) and key.value in ("exec", "httpGet", "tcpSocket", "grpc"):
            return key
    return None


def gpu_containers(manifests: Any) -> list[tuple[Any, Y.Node]]:
    """(Deployment, container) for each Deployment's GPU container (one with an nvidia.com/gpu
    limit or request)."""
    from gpulint.artifacts.kubernetes.model import deployments, gpu_container, gpu_limit, gpu_request

    found = []
    for obj in deployments(manifests):
        container = gpu_container(obj)
        if container is not None and (gpu_limit(container) is not None or gpu_request(container) is not None):
            found.append((obj, container))
    return found


def probe_budget(probe: Y.Node | None) -> int | None:
    """failureThreshold x periodSeconds: how long the probe tolerates failures."""
    threshold, period = probe_number(probe, "failureThreshold"), probe_number(probe, "periodSeconds")
    if threshold is None or period is None:
        return None
    return threshold * period


def paired_images(project: Any, manifests: Any) -> list[ImageCheck]:
    """The final images of the Dockerfiles that belong with a manifest file."""
    images = []
    for dockerfile in partners(project, manifests, "dockerfile"):
        image = image_check(dockerfile)
        if image is not None:
            images.append(image)
    return images


def container_workdir(container: Y.Node, image: ImageCheck) -> str:
    from gpulint.syntax import yamlnode as Y

    workdir = Y.text(Y.get(container, "workingDir"))
    return workdir if workdir and workdir.startswith("/") else image.workdir


def absolute_in(workdir: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(workdir, path))


# ----------------------------------------------------------------------------- CI: the scripts a GPU test runs

def ci_scripts(run: DockerRun, image: ImageCheck) -> set[str]:
    """Absolute paths, inside the image, of the scripts a `docker run` executes."""
    workdir = run.workdir() or image.workdir
    entry = run.entrypoint()
    if entry is not None:
        scripts = scripts_run([entry] + run.args)
    elif run.args:
        from gpulint.artifacts.dockerfile.role import fixed_entrypoint

        fixed = fixed_entrypoint(image.dockerfile, image.stage)  # the args go to the image's own program
        scripts = scripts_run(fixed + run.args if fixed else run.args)
    else:
        scripts = image.default_command_scripts()
        workdir = image.workdir
    return {absolute_in(workdir, s.path) for s in scripts}


# ----------------------------------------------------------------------------- smoke tests

def smoke_tests(project: Any) -> list[PythonFile]:
    """The smoke tests of every lifecycle project under the root (each source once)."""
    return lifecycle_facts(project).smoke_tests


def imported_modules(project: Any, script: PythonFile) -> list[PythonFile]:
    """The modules of the scanned files a script imports from its own folder (`from gpu_checks
    import main`, next to it), parsed."""
    from gpulint.syntax.python import local_imports, module_files, parse_python

    if script.tree is None or script.source.path is None:
        return []
    folder = posixpath.dirname(script.source.rel_path)
    found = []
    for module in dict.fromkeys(local_imports(script.tree)):
        for name in module_files(module):
            source = project.files.read(posixpath.join(folder, name) if folder else name)
            if source is not None:
                found.append(parse_python(source))
                break
    return found


# ----------------------------------------------------------------------------- images pushed and deployed

def pushed_images(project: Any, artifact: Any) -> PushIndex:
    """Every image reference the CI pipelines of the artifact's project push (any CI system),
    indexed by name: the pipelines whose folder holds the artifact's, or sits inside it
    (``partners``), never a sibling project's."""
    return lifecycle_facts(project).pushes_of(partners(project, artifact, "ci"))


def pushes_only_cpu_images(project: Any, artifact: Any) -> bool:
    """Whether every image the artifact's pipelines push is built from a Dockerfile of the
    scanned files that has no GPU stack (tool, docs or CPU images): none of them is the GPU
    image a Deployment runs."""
    sites = [(pipeline, site) for pipeline in partners(project, artifact, "ci") for site in pipeline.images.pushes]
    return bool(sites) and all(pushes_gpu_image(project, pipeline, site) is False for pipeline, site in sites)


def deployed_gpu_images(manifests: Any):
    """(Deployment, image node, ImageRef) of each GPU container of each GPU Deployment."""
    from gpulint.artifacts.kubernetes.model import deployments, gpu_limit, is_gpu_workload
    from gpulint.syntax import yamlnode as Y
    from gpulint.syntax.images import parse_image

    for obj in deployments(manifests):
        if not is_gpu_workload(obj):
            continue
        for container in obj.containers():
            if gpu_limit(container) is None:
                continue
            node = Y.get(container, "image")
            ref = parse_image(Y.text(node) if Y.is_scalar(node) else None)
            if ref is not None and not ref.templated:
                yield obj, node, ref


def lifecycle_project(project: Any) -> bool:
    """The manifests are judged together with the image the project builds (a Dockerfile exists)."""
    return bool(project.of_kind("dockerfile"))


# ----------------------------------------------------------------------------- what a push publishes

def built_dockerfile(project: Any, pipeline: Any, build: Any) -> Dockerfile | None:
    """The Dockerfile of the scanned files a CI build reads (None: not among them, or unknown).
    Where the pipeline's paths may be relative to several folders, the one Dockerfile found."""
    by_path = lifecycle_facts(project).dockerfiles_by_path
    # without -f the docker CLI and BuildKit read the context's `Dockerfile`, else its `dockerfile`
    names = [build.dockerfile] if build.dockerfile else [posixpath.join(build.context, n) for n in ("Dockerfile", "dockerfile")]
    for path in names:
        found = {id(d): d for d in (by_path.get(posixpath.normpath(((root + "/") if root else "") + path))
                                    for root in pipeline.candidate_roots()) if d is not None}
        if found:
            return next(iter(found.values())) if len(found) == 1 else None
    return None


def is_gpu_dockerfile(dockerfile: Dockerfile, target: str | None = None) -> bool | None:
    """Whether the image a build of the Dockerfile ships (its ``target`` stage, else the final one)
    uses a GPU, as the image roles judge it (base image, GPU packages and wheels, GPU environment,
    stages copied from); None when it cannot be told."""
    from gpulint.artifacts.dockerfile.role import image_role, shipped_images

    verdicts = [image_role(dockerfile, stage).gpu for stage in shipped_images(dockerfile, [target] if target else None)]
    if not verdicts or any(v is True for v in verdicts):
        return True if verdicts else None
    return None if any(v is not False for v in verdicts) else False


def pushes_gpu_image(project: Any, pipeline: Any, push: Any) -> bool | None:
    """Whether a push (an action or a push site: anything with the ``unit`` doing it) publishes a
    GPU image: False when every Dockerfile the push's builds read is in the scanned files and none
    carries a GPU stack (a docs, CPU or tool image); None when it cannot be told."""
    builds = pipeline.images.builds_for(push.unit)
    if not builds:  # a push of an image built where it cannot be seen (`make`, a manifest list)
        return False if repository_builds_gpu(project, pipeline) is False else None
    verdicts = []
    for build in builds:
        dockerfile = built_dockerfile(project, pipeline, build)
        if dockerfile is not None:
            verdicts.append(is_gpu_dockerfile(dockerfile, build.target))
        else:
            path = build.dockerfile or posixpath.join(build.context, "Dockerfile")  # not in the scanned files: a name that says `cpu` (Dockerfile.cpu, cpu.Dockerfile) is taken at its word
            name = posixpath.basename(path).lower()
            verdicts.append(False if "cpu" in re.split(r"[._-]", name) else None)
    if any(v is True for v in verdicts) or any(v is None for v in verdicts):
        return True if any(v is True for v in verdicts) else None
    return False


def repository_builds_gpu(project: Any, pipeline: Any) -> bool | None:
    """Whether the Dockerfiles of the pipeline's repository (among the scanned files) carry a GPU
    stack: True when a stage of one does, False when there are some and no stage of them does (a
    Go controller, docs, CPU services), None when there are none or it cannot be told. For a
    push whose build cannot be linked, what it could push."""
    from gpulint.artifacts.dockerfile.role import image_role

    if pipeline.source.path is None:
        return None
    files = project.files
    repository = files.repository_of(pipeline.source.rel_path)
    dockerfiles = [d for d in lifecycle_facts(project).dockerfiles_by_path.values()
                   if files.repository_of(d.source.rel_path) == repository]
    verdicts = {image_role(d, stage).gpu for d in dockerfiles for stage in _leaf_stages(d)}
    if True in verdicts:
        return True
    return False if verdicts == {False} else None


def _leaf_stages(dockerfile: Dockerfile) -> list:
    """The stages a build could ship: those no other stage is built on or copies from (a Go
    builder stage feeds the image, it is not one)."""
    from gpulint.artifacts.dockerfile.base_images import copies_from

    used: set[int] = set()
    for stage in dockerfile.stages:
        used.update(id(s) for s in stage.ancestry()[1:])
        used.update(id(earlier) for earlier, _ in copies_from(dockerfile, stage))
    return [s for s in dockerfile.stages if id(s) not in used]


def push_judged(project: Any, pipeline: Any, push: Any) -> bool:
    """Whether the push rules judge this push: always in the lab; in production unless it is known
    to publish only images without a GPU stack (docs, CPU and tool images are not their business),
    it hands the image to the pipeline's own GPU test (``ci_handoff``), or it writes only to a
    registry on the runner (``pushes_to_job_registry``)."""
    if profile_of(project) != "production":
        return True
    return pushes_gpu_image(project, pipeline, push) is not False and not ci_handoff(pipeline, push) \
        and not pushes_to_job_registry(pipeline, push)


# Expressions unique to one pipeline run (a commit SHA is not: deployments name images by it).
_RUN_UNIQUE = re.compile(r"github\.run_(?:id|number|attempt)|\$\{?github_run_(?:id|number|attempt)|ci_pipeline_i?id"
                         r"|ci_job_id|\$\{?build_id|context\.pipelinerun\.(?:uid|name)", re.IGNORECASE)


def pushes_to_job_registry(pipeline: Any, push: Any) -> bool:
    """Every reference the push writes goes to a registry on the runner itself
    (`localhost:5000/app:pr`, a `registry:2` service of the job, as multi-platform builds
    use): nothing is published."""
    written = [pipeline.normalise(s.written) for s in pipeline.images.pushes if s.unit is push.unit]
    return bool(written) and all(w.startswith(("localhost:", "localhost/", "127.0.0.1:", "127.0.0.1/"))
                                 for w in written)


def ci_handoff(pipeline: Any, push: Any) -> bool:
    """A push that hands the CI image to the pipeline's GPU test on another machine: every reference
    it pushes is unique to the run (`app:${{ github.run_id }}`) and a GPU `docker run` of the
    pipeline runs that same reference. It is a stage of the test, not a publication."""
    images = pipeline.images
    written = {pipeline.normalise(s.written) for s in images.pushes if s.unit is push.unit}
    if not written or "" in written or not all(_RUN_UNIQUE.search(w) for w in written):
        return False
    return any(r.gpu and not r.negative and r.image and pipeline.normalise(r.image) in written for r in images.runs)
