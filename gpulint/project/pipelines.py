"""The project's CI pipelines, every system compiled into the one CI model, built once per run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gpulint.project.config import profile_of

if TYPE_CHECKING:
    from gpulint.ci.model import Pipeline, RunnerContext


def ci_pipelines(project: Any) -> list[Pipeline]:
    """Every pipeline of the scanned files, in path order: GitHub workflows, GitLab pipelines (a
    file another pipeline includes is part of it), Cloud Build configurations and Tekton Pipelines."""

    def build() -> list[Pipeline]:
        # Each system's models and adapter are imported only when the project has its files.
        found: list[Pipeline] = []
        if project.of_kind("workflow"):
            from gpulint.ci.github.adapter import GitHubPipeline

            # In production a workflow GitHub never runs (outside `.github/workflows/`) builds,
            # tests and pushes nothing; the lab judges the file the student wrote wherever it is.
            production = profile_of(project) == "production"
            found += [GitHubPipeline(w, project, profile_of(project)) for w in project.of_kind("workflow")
                      if not production or w.in_workflows_folder]
        if project.of_kind("gitlab"):
            from gpulint.ci.gitlab.adapter import GitLabCiPipeline
            from gpulint.ci.gitlab.pipeline import pipelines as gitlab_pipelines

            found += [GitLabCiPipeline(p, judged=True) for p in gitlab_pipelines(project)]
        if project.of_kind("cloudbuild"):
            from gpulint.ci.cloudbuild.adapter import CloudBuildPipeline
            from gpulint.ci.cloudbuild.build import builds, triggers_for

            found += [CloudBuildPipeline(b, triggers_for(b, project)) for b in builds(project)]
        if _has_tekton(project):
            from gpulint.ci.tekton.adapter import TektonPipeline
            from gpulint.ci.tekton.pipeline import index as tekton_index

            index = tekton_index(project)
            found += [TektonPipeline(p, index) for p in index.pipelines]
        found.sort(key=lambda p: (p.source.rel_path, p.anchor.start))
        _apply_built_targets(project, found)
        return found

    return project.memo("ci-pipelines", build)


def _apply_built_targets(project: Any, pipelines: list) -> None:
    """A Dockerfile that every CI build of it builds with one `--target` (a trailing `test` stage
    the image never includes, `--target runtime`) ships that stage: its ``built_target`` is set,
    so every rule judges the image CI builds. Unknown targets (variables) leave it alone."""
    from gpulint.project.lifecycle import built_dockerfile

    targets: dict[int, tuple[Any, set]] = {}
    for pipeline in pipelines:
        for site in pipeline.images.build_sites:
            dockerfile = built_dockerfile(project, pipeline, site)
            if dockerfile is not None:
                targets.setdefault(id(dockerfile), (dockerfile, set()))[1].add(site.target)
    for dockerfile, named in targets.values():
        target = next(iter(named)).lower() if len(named) == 1 and None not in named else None
        if target is None or "$" in target or dockerfile.built_target == target:
            continue
        if any(s.name == target for s in dockerfile.stages[:-1]):
            dockerfile.built_target = target
            dockerfile.__dict__.pop("_lifecycle_image", None)  # computed for the last stage


def _has_tekton(project: Any) -> bool:
    manifests = project.of_kind("kubernetes")
    if not manifests:
        return False
    from gpulint.artifacts.kubernetes.model import is_tekton

    return any(is_tekton(o) for m in manifests for o in m.objects)


def runner_context(project: Any) -> RunnerContext:
    """What decides whether a runner is a GPU machine besides the pipelines themselves."""
    from gpulint.ci.model import RunnerContext
    from gpulint.project.scheduling import node_groups

    config = getattr(project, "config", None)
    return project.memo("ci-runner-context", lambda: RunnerContext(
        tuple(getattr(config, "gpu_runner_labels", ()) or ()), profile_of(project), tuple(node_groups(project))))


def same_repository(project: Any, pipeline: Pipeline) -> list[Pipeline]:
    """The pipelines of the repository ``pipeline`` belongs to: a build or GPU test in one sibling
    repository of the scanned tree never stands in for another's."""
    return list(project.facts(PipelinesByRepository).of(pipeline))


class PipelinesByRepository:
    """The project's pipelines grouped by the repository of the scanned tree they belong to."""

    def __init__(self, project: Any) -> None:
        self.files = project.files
        self.groups: dict[str, list[Pipeline]] = {}
        for p in ci_pipelines(project):
            self.groups.setdefault(self.repository(p), []).append(p)

    def repository(self, pipeline: Pipeline) -> str:
        return self.files.repository_of(pipeline.source.rel_path) if pipeline.source.path is not None else ""

    def of(self, pipeline: Pipeline) -> list[Pipeline]:
        return self.groups.get(self.repository(pipeline), [])
