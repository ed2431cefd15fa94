"""What CI does with images, whatever system runs it: the `docker run`s (the GPU test and its
negative), the images each build produces, the Dockerfile and context each build reads, and the
references each push publishes, with the variables of the step resolved where they can be.

Computed once per pipeline (``Pipeline.images``) from the CI model's commands and the images an
adapter reports outside commands (an action's `tags:`, Cloud Build's `images:`).
"""

from __future__ import annotations

import os
import posixpath
import re
from functools import cached_property
from typing import TYPE_CHECKING, Any

from gpulint.ci.commands import BUILD, PUSH, _engine_words, _gpu_run_flag, _run_options, classify
from gpulint.ci.expected_failure import IGNORED, UNKNOWN, failure_expected
from gpulint.core.records import Record, field

if TYPE_CHECKING:
    from gpulint.ci.model import Command, Pipeline

_ENGINES = {"docker", "podman", "nerdctl"}
_NO_GPU_VALUES = ("", "-1", "none", "void")

_BUILD_VALUED = frozenset({
    "-t", "--tag", "-f", "--file", "--build-arg", "--target", "--platform", "--label", "--cache-from", "--cache-to",
    "--secret", "--ssh", "-o", "--output", "--progress", "--network", "--add-host", "--iidfile", "--metadata-file",
    "--build-context", "--builder", "--shm-size", "--ulimit", "-m", "--memory", "--memory-swap", "--cpu-shares",
    "--cpuset-cpus", "--cpuset-mems", "--cgroup-parent", "--isolation", "--attest", "--annotation", "--allow",
    "--call", "--set", "--security-opt", "--squash-all", "--format", "--authfile", "--creds", "--layers",
    "--sign-by", "--from", "--jobs", "--os", "--arch", "--variant", "--env", "--volume", "-v", "--sbom",
    "--provenance", "--cpu-period", "--cpu-quota", "-c",
})



# ----------------------------------------------------------------------------- docker run


class DockerRun(Record):
    """A `docker run` in a CI step, read from its parsed words."""

    site: Command
    options: list[str]
    image: str | None
    image_index: int | None  # index of the image word in argv
    args: list[str]  # the command run in the container (after the image)
    gpu: bool
    negative: bool  # runs with CUDA_VISIBLE_DEVICES emptied: expected to fail

    def _option(self, short: str | None, long: str) -> str | None:
        for i, opt in enumerate(self.options):
            if opt in (short, long) and i + 1 < len(self.options):
                return self.options[i + 1]
            if opt.startswith(long + "="):
                return opt.split("=", 1)[1]
        return None

    def workdir(self) -> str | None:
        return self._option("-w", "--workdir")

    def entrypoint(self) -> str | None:
        return self._option(None, "--entrypoint")

    def span(self, image_word: bool = False):
        if image_word and self.image_index is not None:
            return self.site.word_span(self.image_index)
        return self.site.span


def _env_values(options: list[str]) -> list[str]:
    values = []
    for i, opt in enumerate(options):
        if opt in ("-e", "--env") and i + 1 < len(options):
            values.append(options[i + 1])
        elif opt.startswith("--env="):
            values.append(opt[6:])
        elif opt.startswith("-e") and len(opt) > 2 and not opt.startswith("--"):
            values.append(opt[2:])
    return values


def _is_negative(options: list[str], site: Command) -> bool:
    command = site.command
    host = dict(site.variables)
    host.update({w.text.split("=", 1)[0]: w.text.split("=", 1)[1] for w in command.words
                 if "=" in w.text and w.text.split("=", 1)[0].isidentifier()
                 and command.words.index(w) < len(command.words) - len(command.argv())})
    for value in _env_values(options):
        name, eq, val = value.partition("=")
        if name != "CUDA_VISIBLE_DEVICES":
            continue
        if eq and val.strip().strip("'\"") in _NO_GPU_VALUES:
            return True
        if not eq and host.get(name, None) is not None and host[name].strip() in _NO_GPU_VALUES:
            return True
    return False


def _docker_run(site: Command) -> DockerRun | None:
    argv = site.argv
    if not argv or os.path.basename(argv[0]) not in _ENGINES:
        return None
    words = _engine_words(argv)
    if words[:1] == ["run"]:
        rest = words[1:]
    elif words[:2] == ["container", "run"]:
        rest = words[2:]
    else:
        return None
    options = _run_options(rest)
    after = rest[len(options):]
    if after[:1] == ["--"]:
        after = after[1:]
    image = after[0] if after else None
    image_index = len(argv) - len(after) if after else None
    return DockerRun(site, options, image, image_index, after[1:], _gpu_run_flag(options) is not None,
                     _is_negative(options, site))


# ----------------------------------------------------------------------------- image names

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def _plain(text: str) -> str:
    return _VAR.sub(lambda m: "$" + (m.group(1) or m.group(2)), text.replace("${{", "\0")).replace("\0", "${{")


def _expand(text: str, env: dict[str, str], depth: int = 0) -> str:
    text = _plain(text)
    if depth > 3:
        return text

    def one(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        return _expand(env[name], env, depth + 1) if name in env else match.group(0)

    return _VAR.sub(one, text.replace("${{", "\0")).replace("\0", "${{")


def _with_tag(ref: str) -> str:
    last = ref.rsplit("/", 1)[-1]
    return ref if (":" in last or "@" in last) else ref + ":latest"


ImageForm = tuple[str, str, bool]  # (as written, normalised; expanded; a variable left unresolved)


def image_form(text: str, env: dict[str, str]) -> ImageForm:
    expanded = _expand(text, env)
    unresolved = bool(_VAR.search(expanded.replace("${{", "\0")))
    return _with_tag(_plain(text)), _with_tag(expanded), unresolved


def _repository(ref: str) -> str:
    """The name part of a reference (before its tag or digest)."""
    ref = ref.split("@", 1)[0]
    head, _, last = ref.rpartition("/")
    return (head + "/" if head else "") + last.split(":", 1)[0]


def same_image(a: ImageForm, b: ImageForm) -> bool | None:
    """True/False, or None when it cannot be known statically. Two references whose repository
    names are known and differ are different images, whatever their (unknown) tags."""
    if a[0] == b[0] or a[1] == b[1]:
        return True
    if a[2] or b[2]:
        names = _repository(a[1]), _repository(b[1])
        if "$" not in names[0] + names[1] and names[0] != names[1]:
            return False
        return None
    return False


# ----------------------------------------------------------------------------- build sites and pushes

class BuildSite(Record):
    """Where a CI step builds an image: the Dockerfile and context it names."""

    unit: Any
    dockerfile: str | None  # relative to the repository root; None: the context's Dockerfile (or Containerfile)
    context: str
    span: Any  # what a finding about a missing file points at
    file_span: Any | None
    by_command: bool  # False: an action's inputs (no Containerfile fallback)
    tags: list[str] = field(default_factory=list)  # the references it tags, as written
    target: str | None = None  # the stage it builds (`--target`); None: the final stage (or unknown)
    from_matrix: bool = False  # paths from one matrix leg's values (a leg's step may be skipped)


class PushSite(Record):
    unit: Any
    target: str  # the pushed reference with unknown parts as ``*``
    span: Any
    written: str = ""  # the reference as written (in the system's variable syntax made shell's)


def _words_after(argv: list[str], start: int) -> tuple[dict[str, list[tuple[str, int]]], list[tuple[str, int]]]:
    """(options -> [(value, index)], positionals [(word, index)]) of a build command's arguments."""
    options: dict[str, list[tuple[str, int]]] = {}
    positionals: list[tuple[str, int]] = []
    i = start
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("-") and arg != "-":
            name, eq, value = arg.partition("=")
            if eq:
                options.setdefault(name, []).append((value, i))
            elif name in _BUILD_VALUED and i + 1 < len(argv):
                options.setdefault(name, []).append((argv[i + 1], i + 1))
                i += 1
            else:
                options.setdefault(name, []).append(("", i))
        else:
            positionals.append((arg, i))
        i += 1
    return options, positionals


def _build_words(argv: list[str]) -> int | None:
    """Index where a build command's own arguments begin, for docker/podman/buildah builds."""
    import os

    if not argv:
        return None
    name = os.path.basename(argv[0])
    if name in ("docker", "podman", "nerdctl"):
        i = 1
        while i < len(argv) and argv[i].startswith("-"):
            i += 2 if argv[i] in ("-H", "--host", "-c", "--context", "--config", "-l", "--log-level") else 1
        rest = argv[i:]
        if rest[:1] == ["build"]:
            return i + 1
        if rest[:2] in (["image", "build"], ["builder", "build"]) or (rest[:1] == ["buildx"] and rest[1:2] in (["build"], ["b"])):
            return i + 2
        return None
    if name == "buildah" and argv[1:2] in (["bud"], ["build"], ["build-using-dockerfile"]):
        return 2
    return None


def _unknown(text: str) -> bool:
    return "$" in text or "`" in text


def expand_shell(text: str, variables: dict[str, str]) -> str:
    """``$X``, ``${X}``, ``${X,,}``, ``${X@L}`` replaced by known values, unknown ones by ``*``."""
    import re as _re

    def repl(match):
        name = match.group(1) or match.group(2)
        return variables.get(name, "*")

    return _re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:,,|\^\^|@[LU])?\}|\$([A-Za-z_][A-Za-z0-9_]*)", repl, text)


def _kaniko(argv: list[str]) -> bool:
    return bool(argv) and os.path.basename(argv[0]) == "executor" or (bool(argv) and "kaniko" in argv[0])


def _kaniko_option(argv: list[str], name: str) -> list[str]:
    out = []
    for i, word in enumerate(argv):
        if word == name and i + 1 < len(argv):
            out.append(argv[i + 1])
        elif word.startswith(name + "="):
            out.append(word.split("=", 1)[1])
    return out


class ImageFacts:
    """What one pipeline does with images, computed once."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    @cached_property
    def runs(self) -> list[DockerRun]:
        return [run for run in (_docker_run(site) for site in self.pipeline.commands) if run is not None]

    @cached_property
    def built(self) -> list[ImageForm]:
        """Every image name:tag the builds produce (`-t`, kaniko `--destination`, an action's `tags`),
        and `docker tag` copies of those."""
        p = self.pipeline
        found: list[ImageForm] = []
        for site in p.commands:
            argv = site.argv
            env = site.variables
            if _build_words(argv) is not None:
                for i, word in enumerate(argv):
                    if word in ("-t", "--tag") and i + 1 < len(argv):
                        found.append(image_form(p.normalise(argv[i + 1]), env))
                    elif word.startswith("--tag="):
                        found.append(image_form(p.normalise(word[6:]), env))
                    elif word.startswith("-t") and len(word) > 2 and not word.startswith("--"):
                        found.append(image_form(p.normalise(word[2:]), env))
            elif _kaniko(argv):
                found.extend(image_form(p.normalise(d), env) for d in _kaniko_option(argv, "--destination"))
        found.extend(image_form(p.normalise(i.text), i.variables) for i in p.image_inputs() if i.kind == BUILD)
        for site in p.commands:  # `docker tag built other`
            argv = site.argv
            if argv and os.path.basename(argv[0]) in _ENGINES:
                words = _engine_words(argv)
                if words[:1] == ["tag"] or words[:2] == ["image", "tag"]:
                    pos = [w for w in words[1 if words[0] == "tag" else 2:] if not w.startswith("-")]
                    if len(pos) == 2 and any(same_image(image_form(p.normalise(pos[0]), site.variables), b)
                                             for b in found):
                        found.append(image_form(p.normalise(pos[1]), site.variables))
        return found

    def uses_built(self, run: DockerRun) -> bool | None:
        if run.image is None or not self.built:
            return None
        mine = image_form(self.pipeline.normalise(run.image), run.site.variables)
        answers = [same_image(mine, b) for b in self.built]
        if any(a is True for a in answers):
            return True
        if any(a is None for a in answers):
            return None
        return False

    def expectation(self, run: DockerRun) -> tuple[str, str]:
        """How the step treats the failure of a `docker run` (see ``failure_expected``)."""
        site = run.site
        if site.failure_ignored:
            return IGNORED, site.failure_ignored
        if site.script is None:
            return UNKNOWN, "an exec-form step"
        if site.offset != 0:
            return UNKNOWN, "inside `bash -c`"
        return failure_expected(site.script, site.command.start, site.command.end, site.errexit, site.pipefail)

    @cached_property
    def build_sites(self) -> list[BuildSite]:
        """Every build whose Dockerfile and context can be read statically, relative to the repository."""
        p = self.pipeline
        sites: list[BuildSite] = []
        for site in p.commands:
            argv = site.argv
            start = _build_words(argv)
            if start is None or site.workdir is None:
                continue
            earlier = [c for c in p.commands if c.unit is site.unit and c.script == site.script
                       and c.offset + c.command.start < site.offset + site.command.start]
            if any(c.command.name in ("cd", "pushd") for c in earlier):
                continue  # the working directory moved: paths are relative to somewhere else
            options, positionals = _words_after(argv, start)
            files = options.get("-f", []) + options.get("--file", [])
            contexts = [x for x in positionals if x[0] != "-"]
            if len(contexts) != 1 or _unknown(contexts[0][0]) or "://" in contexts[0][0] \
                    or contexts[0][0].startswith("git@"):
                continue
            if files and (_unknown(files[-1][0]) or files[-1][0] == "-"):
                continue
            base = posixpath.normpath(site.workdir or ".")
            context = posixpath.normpath(posixpath.join(base, contexts[0][0]))
            dockerfile = posixpath.normpath(posixpath.join(base, files[-1][0])) if files else None
            file_span = site.word_span(files[-1][1]) if files else None
            tags = [v for v, _ in options.get("-t", []) + options.get("--tag", [])]
            stages = [v for v, _ in options.get("--target", [])]
            target = stages[-1] if stages and not _unknown(stages[-1]) else None
            sites.append(BuildSite(site.unit, dockerfile, context, file_span or site.word_span(contexts[0][1]),
                                   file_span, True, tags, target))
        inputs = [i for i in p.image_inputs() if i.kind == BUILD]
        for given in p.build_inputs():
            dockerfile = posixpath.normpath(given.dockerfile) if given.dockerfile is not None else None
            tags = [i.text for i in inputs if i.unit is given.unit]
            sites.append(BuildSite(given.unit, dockerfile, posixpath.normpath(given.context), given.span,
                                   given.file_span, False, tags, given.target, given.from_matrix))
        return sites

    @cached_property
    def pushes(self) -> list[PushSite]:
        """Every image reference the pipeline pushes, with unknown parts as ``*``."""
        p = self.pipeline
        sites: list[PushSite] = []
        for site in p.commands:
            argv = site.argv
            if not any(kind == PUSH for kind, _ in classify(argv)):
                continue
            name = os.path.basename(argv[0]) if argv else ""
            targets: list[str] = []
            if name in ("docker", "podman", "nerdctl", "buildah"):
                start = _build_words(argv)
                if start is not None:
                    options, _ = _words_after(argv, start)
                    targets = [v for v, _ in options.get("-t", []) + options.get("--tag", [])]
                else:
                    words = [a for a in argv[1:] if not a.startswith("-")]
                    for skip in (["image", "push"], ["push"], ["manifest", "push"]):
                        if words[:len(skip)] == skip:
                            targets = words[len(skip):len(skip) + 1]
                            break
            elif name in ("crane", "skopeo", "oras", "regctl"):
                words = [a for a in argv[1:] if not a.startswith("-")]
                targets = words[-1:] if len(words) >= 2 else []
            elif _kaniko(argv):
                targets = _kaniko_option(argv, "--destination")
            if not targets:
                continue
            variables = dict(site.variables)
            for other in p.commands:  # shell assignments before the push: IMAGE=...; docker push "$IMAGE"
                if other.unit is site.unit and other.script == site.script and \
                        other.offset + other.command.start < site.offset + site.command.start:
                    variables.update(other.command.assignments)
            for target in targets:
                sites.append(PushSite(site.unit, self._pattern(target, variables), site.span,
                                      self.pipeline.normalise(target)))
        for given in p.image_inputs():
            if given.kind == PUSH:
                sites.append(PushSite(given.unit, self._pattern(given.text, given.variables), given.span,
                                      self.pipeline.normalise(given.text)))
        return sites

    def _pattern(self, text: str, variables: dict[str, str]) -> str:
        """A pushed reference with known variables resolved and everything unknown as ``*``."""
        normalise = self.pipeline.normalise
        resolved: dict[str, str] = {}
        for name, value in variables.items():  # in order: a later variable may use an earlier one
            resolved[name] = expand_shell(normalise(value), resolved)
        value = expand_shell(normalise(text), resolved)
        return re.sub(r"\$\{\{.*?\}\}", "*", value).removeprefix("docker://")

    def builds_for(self, unit: Any) -> list[BuildSite]:
        """The builds whose image a unit's push publishes: a build in the same step (an action that
        builds and pushes), or a build tagging a reference the unit pushes."""
        same = [b for b in self.build_sites if b.unit is unit]
        if same:
            return same
        sites = [s for s in self.pushes if s.unit is unit]
        pushed = {_repository(image_form(self.pipeline.normalise(s.target), {})[0]) for s in sites}
        written = {s.written for s in sites if s.written}  # `$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA` both times
        # the same repository as written (`${_IMAGE_NAME}:$SHORT_SHA` built, `${_IMAGE_NAME}:latest`
        # tagged and pushed): one variable names one repository within a pipeline
        written_repositories = {_repository(w) for w in written if "$" in _repository(w)}
        normalise = self.pipeline.normalise
        return [b for b in self.build_sites
                if any(_repository(image_form(normalise(t), {})[0]) in pushed or normalise(t) in written
                       or _repository(normalise(t)) in written_repositories for t in b.tags)]
