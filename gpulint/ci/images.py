"""Where CI builds and pushes images: the Dockerfile and context of each build, the reference of
each push, with the variables of the step resolved where they can be."""

from __future__ import annotations

from dataclasses import dataclass

_BUILD_VALUED = frozenset({
    "-t", "--tag", "-f", "--file", "--build-arg", "--target", "--platform", "--label", "--cache-from", "--cache-to",
    "--secret", "--ssh", "-o", "--output", "--progress", "--network", "--add-host", "--iidfile", "--metadata-file",
    "--build-context", "--builder", "--shm-size", "--ulimit", "-m", "--memory", "--memory-swap", "--cpu-shares",
    "--cpuset-cpus", "--cpuset-mems", "--cgroup-parent", "--isolation", "--attest", "--annotation", "--allow",
    "--call", "--set", "--security-opt", "--squash-all", "--format", "--authfile", "--creds", "--layers",
    "--sign-by", "--from", "--jobs", "--os", "--arch", "--variant", "--env", "--volume", "-v", "--sbom",
    "--provenance", "--cpu-period", "--cpu-quota", "-c",
})


@dataclass
class BuildSite:
    """Where a workflow step builds an image: the Dockerfile and context it names."""

    step: object
    dockerfile: str | None  # as written (relative to the working directory), None: context/Dockerfile
    context: str | None  # None when unknown
    span: object  # what a finding about a missing file points at
    file_span: object | None
    workdir: str = "."


@dataclass
class PushSite:
    step: object
    target: str  # the pushed reference with unknown parts as ``*``
    span: object


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


def _step_workdir(workflow, job, step) -> str | None:
    from gpulint.syntax import yamlnode as Y

    for node in (step.node, job.node, workflow.node):
        value = Y.get(node, "working-directory") if node is step.node else \
            Y.get_path(node, "defaults", "run", "working-directory")
        if value is not None:
            text = Y.text(value)
            return None if text is None or _unknown(text) else text
    return "."


def build_sites(workflow) -> list[BuildSite]:
    """Every build of the workflow whose Dockerfile and context can be read statically."""
    from gpulint.syntax import yamlnode as Y
    from gpulint.ci.commands import BUILD, scalar_span
    from gpulint.ci.github.pipeline import pipeline

    sites: list[BuildSite] = []
    for hit in pipeline(workflow).of(BUILD):
        step = hit.step
        job = workflow.jobs.get(step.job_id)
        if job is None:
            continue
        if hit.command is None:  # an action
            if not step.action.startswith("docker/build-push-action"):
                continue
            file_pair, ctx_pair = step.with_.get("file"), step.with_.get("context")
            file_text = Y.text(file_pair[1]) if file_pair else None
            ctx_text = Y.text(ctx_pair[1]) if ctx_pair else "."
            if ctx_text is None or _unknown(ctx_text) or (file_text is not None and _unknown(file_text)):
                continue
            anchor = file_pair[1] if file_pair else (ctx_pair[1] if ctx_pair else step.key_node)
            sites.append(BuildSite(step, file_text, ctx_text, workflow.span(anchor),
                                   workflow.span(file_pair[1]) if file_pair else None))
            continue
        argv = hit.command.argv()
        start = _build_words(argv)
        if start is None:
            continue
        earlier = [c for c in (step.script.commands if step.script else []) if c.start < hit.command.start]
        if any(c.name in ("cd", "pushd") for c in earlier):
            continue  # the working directory moved: paths are relative to somewhere else
        workdir = _step_workdir(workflow, job, step)
        if workdir is None:
            continue
        options, positionals = _words_after(argv, start)
        files = options.get("-f", []) + options.get("--file", [])
        contexts = [p for p in positionals if p[0] != "-"]
        if len(contexts) != 1 or _unknown(contexts[0][0]) or "://" in contexts[0][0] or contexts[0][0].startswith("git@"):
            continue
        if files and (_unknown(files[-1][0]) or files[-1][0] == "-"):
            continue

        def word_span(index: int):
            word = hit.command.word_at(index)
            return scalar_span(workflow, step.run, hit.offset + word.start, hit.offset + word.end) if word else \
                hit.span(workflow)

        file_span = word_span(files[-1][1]) if files else None
        sites.append(BuildSite(step, files[-1][0] if files else None, contexts[0][0],
                               file_span or word_span(contexts[0][1]), file_span, workdir))
    return sites


def _variables(workflow, job, step) -> dict[str, str]:
    """Environment values known statically for a step: workflow, job and step ``env:`` (with
    ``${{ env.X }}`` resolved and other expressions as ``*``)."""
    from gpulint.syntax import yamlnode as Y

    values: dict[str, str] = {}
    for node in (workflow.node, job.node, step.node):
        for key, value in Y.pairs(Y.get(node, "env") if Y.is_map(node) else None):
            name = Y.key_text(key)
            text = Y.text(value) if Y.is_scalar(value) else None
            if name and text is not None:
                values[name] = resolve_expressions(text, values)
    return values


def resolve_expressions(text: str, env: dict[str, str]) -> str:
    """``${{ env.X }}`` replaced by its known value, any other ``${{ }}`` by ``*``."""
    from gpulint.syntax import github_expressions as E

    try:
        parts = E.template_parts(text)
    except E.ExpressionError:
        return "*"
    out, pos = [], 0
    for inner, start, end in parts:
        out.append(text[pos:start - 3])
        name = inner.strip()
        if name.startswith("env.") and name[4:] in env:
            out.append(env[name[4:]])
        else:
            out.append("*")
        pos = end + 2
    out.append(text[pos:])
    return "".join(out)


def expand_shell(text: str, variables: dict[str, str]) -> str:
    """``$X``, ``${X}``, ``${X,,}``, ``${X@L}`` replaced by known values, unknown ones by ``*``."""
    import re as _re

    def repl(match):
        name = match.group(1) or match.group(2)
        return variables.get(name, "*")

    return _re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:,,|\^\^|@[LU])?\}|\$([A-Za-z_][A-Za-z0-9_]*)", repl, text)


def push_sites(workflow) -> list[PushSite]:
    """Every image reference the workflow pushes, with unknown parts as ``*``."""
    import os

    from gpulint.syntax import yamlnode as Y
    from gpulint.ci.commands import PUSH
    from gpulint.ci.github.pipeline import pipeline

    sites: list[PushSite] = []
    for hit in pipeline(workflow).of(PUSH):
        step = hit.step
        job = workflow.jobs.get(step.job_id)
        if job is None:
            continue
        env = _variables(workflow, job, step)
        if hit.command is None:
            pair = step.with_.get("tags")
            text = Y.text(pair[1]) if pair else None
            if not text:
                continue
            for item in _action_tags(workflow, job, text, env):
                sites.append(PushSite(step, item, workflow.span(pair[1])))
            continue
        variables = dict(env)
        for command in step.script.commands if step.script else []:
            if command.start >= hit.command.start:
                break
            for name, value in command.assignments.items():
                variables[name] = expand_shell(resolve_expressions(value, env), variables)
        argv = hit.command.argv()
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
        elif name in ("crane", "skopeo", "oras"):
            words = [a for a in argv[1:] if not a.startswith("-")]
            targets = words[-1:] if len(words) >= 2 else []
        for target in targets:
            value = expand_shell(resolve_expressions(target, env), variables)
            value = value.removeprefix("docker://")
            sites.append(PushSite(step, value, hit.span(workflow)))
    return sites


def _action_tags(workflow, job, text: str, env: dict[str, str]) -> list[str]:
    """The ``tags:`` of a build-push-action; ``${{ steps.meta.outputs.tags }}`` reads the
    ``images:`` of the docker/metadata-action step it names."""
    from gpulint.syntax import github_expressions as E
    from gpulint.syntax import yamlnode as Y

    found: list[str] = []
    for item in [t.strip() for line in text.splitlines() for t in line.split(",")]:
        if not item:
            continue
        only = E.strip_template(item)
        path = only[0].strip().split(".") if only else []
        if len(path) == 4 and path[0] == "steps" and path[2] == "outputs" and path[3] == "tags":
            meta = next((s for s in job.steps if s.id == path[1]), None)
            images = Y.text(meta.with_["images"][1]) if meta is not None and "images" in meta.with_ else None
            if meta is None or not meta.action.startswith("docker/metadata-action") or not images:
                found.append("*")
                continue
            for line in images.splitlines():
                image = line.split(",")[0].strip()
                if image and not image.startswith(("name=", "#")):
                    found.append(resolve_expressions(image, env) + ":*")
                elif image.startswith("name="):
                    found.append(resolve_expressions(image[5:], env) + ":*")
            continue
        found.append(resolve_expressions(item, env))
    return found
