"""The project's CI pipelines, every system compiled into the one CI model, built once per run."""

from __future__ import annotations

from typing import Any

from gpulint.ci.cloudbuild.adapter import CloudBuildPipeline
from gpulint.ci.cloudbuild.build import builds, triggers_for
from gpulint.ci.github.adapter import GitHubPipeline
from gpulint.ci.gitlab.adapter import GitLabCiPipeline
from gpulint.ci.gitlab.pipeline import pipelines as gitlab_pipelines
from gpulint.ci.model import Pipeline, RunnerContext
from gpulint.ci.tekton.adapter import TektonPipeline
from gpulint.ci.tekton.pipeline import index as tekton_index
from gpulint.project.config import profile_of
from gpulint.project.scheduling import node_groups


def ci_pipelines(project: Any) -> list[Pipeline]:
    """Every pipeline of the scanned files, in path order: GitHub workflows, GitLab pipelines (a
    file another pipeline includes is part of it), Cloud Build configurations and Tekton Pipelines."""

    def build() -> list[Pipeline]:
        found: list[Pipeline] = [GitHubPipeline(w, project) for w in project.of_kind("workflow")]
        found += [GitLabCiPipeline(p, judged=True) for p in gitlab_pipelines(project)]
        found += [CloudBuildPipeline(b, triggers_for(b, project)) for b in builds(project)]
        index = tekton_index(project)
        found += [TektonPipeline(p, index) for p in index.pipelines]
        return sorted(found, key=lambda p: (p.source.rel_path, p.anchor.start))

    return project.memo("ci-pipelines", build)


def runner_context(project: Any) -> RunnerContext:
    """What decides whether a runner is a GPU machine besides the pipelines themselves."""
    config = getattr(project, "config", None)
    return project.memo("ci-runner-context", lambda: RunnerContext(
        tuple(getattr(config, "gpu_runner_labels", ()) or ()), profile_of(project), tuple(node_groups(project))))


def same_repository(project: Any, pipeline: Pipeline) -> list[Pipeline]:
    """The pipelines of the repository ``pipeline`` belongs to: a build or GPU test in one sibling
    repository of the scanned tree never stands in for another's."""
    files = project.files
    mine = files.repository_of(pipeline.source.rel_path) if pipeline.source.path is not None else ""
    return [p for p in ci_pipelines(project)
            if (files.repository_of(p.source.rel_path) if p.source.path is not None else "") == mine]
