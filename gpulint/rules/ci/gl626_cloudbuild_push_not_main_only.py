from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.ci.cloudbuild.build import builds, triggers_for
from gpulint.ci.commands import PUSH
from gpulint.rules.base import Rule


class CloudBuildPushNotMainOnly(Rule):
    """
    ## What it does
    Checks that a Cloud Build configuration that pushes an image is started only for main.
    Which branch starts a build is not in the build file but in its trigger, so gpulint reads
    the triggers the project describes: a trigger export (`gcloud builds triggers export`, a
    YAML file with `github: push: branch:`, `triggerTemplate: branchName:` or
    `repositoryEventConfig`, matched to the build file by `filename:`) or a
    `gcloud builds triggers create … --branch-pattern=… --build-config=…` in a shell script.
    The branch pattern is a regular expression: `^main$` passes, `main` (which also matches
    `mainline`), `.*`, an inverted pattern, a tag or pull-request trigger fail. When the project
    describes no trigger for the file, an info finding says once that the branch gating
    cannot be checked, instead of guessing.

    ## Why is this bad?
    A trigger on every branch, on tags or on pull requests publishes images nobody reviewed or
    merged and overwrites the tags deployments pull.

    ## Example
    ```yaml
    # cloudbuild.trigger.yaml (gcloud builds triggers export)
    name: gpu-image
    filename: cloudbuild.yaml
    github:
      owner: acme
      name: gpu-inference
      push:
        branch: .*
    ```

    ## Use instead
    ```yaml
    name: gpu-image
    filename: cloudbuild.yaml
    github:
      owner: acme
      name: gpu-inference
      push:
        branch: ^main$
    ```

    ## Fix
    Give the trigger `--branch-pattern='^main$'` (or `push: branch: ^main$` in its export), and
    keep the export in the repository so the gating can be reviewed.
    """

    id = "GL626"
    name = "cloudbuild-push-not-gated-to-main"
    severity = Severity.ERROR
    kind = "cloudbuild"
    criterion = "workflow.push-gated"
    covers = ("cloudbuild",)
    summary = "a Cloud Build configuration that pushes the image is triggered for something other than main"
    fix = "set the trigger's branch pattern to `^main$` and keep its export (cloudbuild.trigger.yaml) in the repository"

    def check(self, build, project):
        pushes = build.of(PUSH) if build.is_build else []
        if not pushes:
            return
        found = triggers_for(build, project)
        if not found:
            first = next((b for b in builds(project) if b.of(PUSH) and not triggers_for(b, project)), None)
            if first is build:
                yield self.report(pushes[0].span(build.source),
                                  f"{pushes[0].where()} pushes the image ({pushes[0].detail}); which branches "
                                  "start this build is set by its Cloud Build trigger, outside the file, so gpulint "
                                  "cannot check that the push happens only for main (note: add the trigger's export, "
                                  "`gcloud builds triggers export NAME --destination=cloudbuild.trigger.yaml`)",
                                  severity=Severity.INFO, criterion=None,
                                  fix="keep the trigger export in the repository, with `push: branch: ^main$`")
            return
        events = [e for t in found if not t.main_only for e in t.events]
        if not events:
            return
        where = sorted({t.source.rel_path for t in found if not t.main_only})
        seen: set[int] = set()
        for hit in pushes:
            key = hit.step.index if hit.step is not None else -1
            if key in seen:
                continue
            seen.add(key)
            yield self.report(hit.span(build.source),
                              f"{hit.where()} pushes the image ({hit.detail}), and the build is triggered by "
                              f"{'; '.join(events[:3])} ({', '.join(where)}); a push must happen only for main")
