"""The shape shared by the rules that ask whether some pipeline of the project does a thing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gpulint.ci.judge import missing_everywhere, reports_missing
from gpulint.ci.model import Pipeline
from gpulint.project.pipelines import same_repository
from gpulint.rules.base import Report, Rule


class MissingAction(Rule):
    """A build, GPU test or push that no pipeline of the project does (reported once), or whose
    only occurrence never runs (reported where it is)."""

    action: ClassVar[str]  # BUILD | TEST | PUSH
    what: ClassVar[str]  # "builds the container image"
    recognised: ClassVar[str]  # what counts, for the message
    dead_fix: ClassVar[str | None] = None  # the fix when the only one never runs (None: not reported)

    def check(self, pipeline: Pipeline, project) -> Iterator[Report]:
        pipelines = same_repository(project, pipeline)
        if not pipeline.judged or not missing_everywhere(pipelines, self.action):
            return
        dead = pipeline.of(self.action)
        if dead and self.dead_fix is not None:
            yield self.report(dead[0].span, f"the only {self.noun} ({dead[0].detail}, {dead[0].where}) never runs: "
                              f"{pipeline.never_runs(dead[0])}; no {pipeline.unit_name} {self.what}",
                              fix=self.dead_fix)
            return
        if reports_missing(pipelines, pipeline):
            yield self.report(pipeline.anchor, f"no {pipeline.unit_name} of {pipeline.name} (nor of any other "
                              f"pipeline of the project) {self.what}: {self.recognised} (text in `echo` or "
                              "comments does not count)")

    noun: ClassVar[str] = ""
