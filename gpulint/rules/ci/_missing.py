"""The shape shared by the rules that ask whether some pipeline of the project does a thing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gpulint.ci.judge import existing, missing_everywhere, reports_missing
from gpulint.ci.model import PUSH, Pipeline
from gpulint.core.findings import Severity
from gpulint.project.config import profile_of
from gpulint.project.lifecycle import push_judged, pushes_gpu_image, repository_builds_gpu
from gpulint.project.other_ci import describe, other_ci
from gpulint.project.pipelines import same_repository
from gpulint.rules.base import Report, Rule


class MissingAction(Rule):
    """A build, GPU test or push that no pipeline of the project does (reported once), or whose
    only occurrence never runs (reported where it is)."""

    action: ClassVar[str]  # BUILD | TEST | PUSH
    what: ClassVar[str]  # "builds the container image"
    recognised: ClassVar[str]  # what counts, for the message
    dead_fix: ClassVar[str | None] = None  # the fix when the only one never runs (None: not reported)
    # The production profile judges real repositories, whose CI may have other jobs than the lab's:
    # "never" (the lab's question only), "pushing" (only where the repository publishes an image),
    # "pushing-gpu" (only where it publishes a GPU image, as a warning).
    production: ClassVar[str] = "pushing"

    def check(self, pipeline: Pipeline, project) -> Iterator[Report]:
        pipelines = same_repository(project, pipeline)
        if not pipeline.judged or not missing_everywhere(pipelines, self.action):
            return
        severity = None
        unsure = ""  # production: why the finding cannot be sure (then it is advice)
        if profile_of(project) == "production":
            pushes = [(p, a) for p in pipelines for a in existing(p, PUSH)]
            if self.production == "never" or not pushes:
                return
            if self.production == "pushing-gpu":
                gpu = [pushes_gpu_image(project, p, a) for p, a in pushes if push_judged(project, p, a)]
                if not gpu:
                    return  # it publishes only images without a GPU stack
                severity = Severity.WARNING
                if True not in gpu and not repository_builds_gpu(project, pipeline):
                    unsure = ("cannot tell whether the pushed images carry a GPU stack: their builds cannot be "
                              "read and no Dockerfile of the repository among the scanned files has one")
            elsewhere = other_ci(project, pipeline.source.rel_path) if pipeline.source.path is not None else []
            if elsewhere:
                unsure = (f"cannot tell: the repository also runs {describe(elsewhere)}, which gpulint does not "
                          f"read; the {self.noun} may be there")
        dead = pipeline.of(self.action)
        if dead and self.dead_fix is not None:
            yield self.report(dead[0].span, f"the only {self.noun} ({dead[0].detail}, {dead[0].where}) never runs: "
                              f"{pipeline.never_runs(dead[0])}; no {pipeline.unit_name} {self.what}",
                              fix=self.dead_fix, severity=severity)
            return
        concerned = None
        if severity is not None:  # production, judged for its GPU images: report where one is pushed
            def concerned(p):
                return any(push_judged(project, p, a) for a in existing(p, PUSH))
        if reports_missing(pipelines, pipeline, concerned):
            message = (f"no {pipeline.unit_name} of {pipeline.name} (nor of any other pipeline of the project) "
                       f"{self.what}: {self.recognised} (text in `echo` or comments does not count)")
            if unsure:
                yield self.report(pipeline.anchor, f"{message} ({unsure}; advice only)", severity=Severity.INFO)
                return
            related = self.partly_done(pipelines, project) if severity is not None else None
            if related:
                span, what = related
                yield self.report(pipeline.anchor, f"{message}; the project does run {what}, a test of its code "
                                  "on a GPU, though not of the image (advice only)", severity=Severity.INFO,
                                  related=[(span, "runs on a GPU runner")])
                return
            yield self.report(pipeline.anchor, message, severity=severity)

    def partly_done(self, pipelines: list[Pipeline], project) -> tuple | None:
        """(where, what) of something that does part of the action in the production profile."""
        return None

    noun: ClassVar[str] = ""
