from __future__ import annotations

from gpulint.ci.judge import existing, first_per_unit, outside_main, scenario_list
from gpulint.ci.model import PUSH, SYSTEMS
from gpulint.core.findings import Severity
from gpulint.project.config import profile_of
from gpulint.project.pipelines import ci_pipelines
from gpulint.project.lifecycle import push_judged
from gpulint.core.fix import Applicability, FixAvailability
from gpulint.fixes.pipelines import gate_push_to_main
from gpulint.rules.base import Rule


class PushNotMainOnly(Rule):
    """
    ## What it does
    Checks that every push of the image can run only for a push to `main`. Each pipeline is
    evaluated in each scenario its triggers allow (a pull request to main, a push to a feature
    branch, a push to main, a tag push, a manual run on a branch, a schedule, a release…), with
    the CI system's own rules:

    - GitHub Actions: `on:` branch and tag filters decide whether the workflow starts, then the
      job's and step's `if:` (and an action's `push:` input) are evaluated with GitHub's
      expression rules;
    - GitLab CI: `workflow: rules`, the job's `rules:` (first match, `when:`) and legacy
      `only:`/`except:`, with GitLab's expression language (`==`, `=~ /regex/`, `&&`, `||`);
    - Cloud Build: the build's triggers as the project describes them (trigger exports,
      `gcloud builds triggers create`): branch patterns are regular expressions, so `main`
      also matches `mainline`;
    - Tekton: the EventListener's CEL filters and bindings, and the task's `when`.

    Conditions that cannot be decided count as "may run". When nothing in the scanned files says
    what starts a pipeline (a Cloud Build configuration without its trigger, a Tekton Pipeline
    without an EventListener, a reusable GitHub workflow whose callers are elsewhere), the finding
    says once that the gate cannot be checked (info). A reusable workflow that has triggers of its
    own too (`schedule`, `workflow_dispatch`) is judged on them, and the calls from workflows in
    the scanned files are judged in each caller's context.

    In the `production` profile (the default of `gpulint check`) a push on a version tag or a
    release, a manual run (GitHub's `workflow_dispatch`, a GitLab pipeline run from the web UI), a
    scheduled run on the default branch, a push to `master` and a push to a branch named for
    releasing or deploying (`release/*`, `deploy`, `stable`), to a version line (`v*-dev`, `1.x`)
    or to a long-lived integration branch the workflow's own filter names (`dev`, `develop`,
    `nightly`) are accepted as deliberate publishing; a push that hands the run's image to the
    pipeline's own GPU test (`app:${{ github.run_id }}`) is no publication, nor is one to a
    registry on the runner itself (`localhost:5000/app:pr`, a `registry:2` service of the job, as
    multi-platform builds use); and only pushes of GPU
    images are judged (a push whose builds read Dockerfiles without a GPU
    stack, such as a docs or CPU image, is not); the `lab` profile accepts only a push to main, of
    any image.

    ## Why is this bad?
    A push that also runs for pull requests, feature branches or tags publishes images nobody
    reviewed or merged, and overwrites tags (`latest`, `sha`) that deployments pull.
    `push: ${{ github.event_name != 'pull_request' }}` still pushes every feature branch, and an
    inverted test (`github.ref != 'refs/heads/main'`) pushes everything except main. On
    self-hosted runners, a pull request that can reach a push step with registry credentials is
    also a supply-chain hole (ultravideo/kvazaar#450).

    ## Example
    ```yaml
    on: [push, pull_request]
    jobs:
      push:
        needs: gpu-test
        runs-on: [self-hosted, gpu]
        steps:
          - run: docker push "$IMAGE:${{ github.sha }}"
    ```

    ## Use instead
    ```yaml
    jobs:
      push:
        needs: gpu-test
        if: github.event_name == 'push' && github.ref == 'refs/heads/main'
        runs-on: [self-hosted, gpu]
        steps:
          - run: docker push "$IMAGE:${{ github.sha }}"
    ```

    ## Fix
    Gate the push for main only: `if: github.event_name == 'push' && github.ref ==
    'refs/heads/main'`, GitLab `rules: - if: $CI_COMMIT_BRANCH == "main"`, a Cloud Build trigger
    with branch `^main$`, a Tekton CEL filter `body.ref == 'refs/heads/main'`.

    Automatic fix: on GitHub Actions the push step gets `if: github.event_name == 'push' &&
    github.ref == 'refs/heads/main'` (safe; unsafe when the step also builds or tests, or when
    its own `if:` is kept next to it), an action's `push:` input becomes that expression
    (unsafe), and a job `if:` that excludes main itself is replaced (unsafe). On GitLab CI a
    push job with no `rules:`, `only:` or `except:` gets `rules: [{if: $CI_COMMIT_BRANCH ==
    "main"}]` (safe). Pushes in called workflows, Cloud Build and Tekton (whose triggers live
    elsewhere) are fixed by hand.
    """

    id = "GL206"
    name = "push-not-gated-to-main"
    aliases = ("GL606", "gitlab-push-not-gated-to-main", "GL626", "cloudbuild-push-not-gated-to-main",
               "GL644", "tekton-push-not-main-only", "GL646", "tekton-trigger-unknown")
    severity = Severity.ERROR
    kind = "ci"
    criterion = "workflow.push-gated"
    covers = SYSTEMS
    summary = "a push of the image can run for something other than a push to main"
    fix = "gate the push with `if: github.event_name == 'push' && github.ref == 'refs/heads/main'` (or the CI system's equivalent)"
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = (Applicability.SAFE, Applicability.UNSAFE)

    def check(self, pipeline, project):
        if not pipeline.judged:
            return  # judged in each caller's context, or as part of the pipeline that includes it
        profile = profile_of(project)
        for push in first_per_unit(existing(pipeline, PUSH)):
            if not push_judged(project, pipeline, push):
                continue  # the image it publishes has no GPU stack (docs, CPU, tools): not this rule's business
            outside = outside_main(pipeline, push, profile)
            if _undecidable(pipeline, outside):
                if self._first_unknown(pipeline, project, profile):
                    what = (f"nothing in the scanned files says which events start {pipeline.name}"
                            if not pipeline.triggers_known else
                            f"its own triggers keep the push on main, but {pipeline.name} can also be called "
                            "by workflows that are not among the scanned files")
                    yield self.report(push.span, f"{push.where} pushes the image ({push.detail}); {what}, so gpulint "
                                      f"cannot check that the push happens only for main "
                                      f"({pipeline.push_gate(push, outside)})",
                                      severity=Severity.INFO, criterion="", confidence="low",
                                      fix=self.unknown_trigger_fix(pipeline))
                return  # once per pipeline
            outside = [u for u in outside if not u.scenario.unknown]  # the rest is said by the info above
            if not outside:
                continue
            yield self.report(push.span, f"{push.where} pushes the image ({push.detail}) and can run "
                              f"{scenario_list(pipeline, outside)}: {pipeline.push_gate(push, outside)}; a push "
                              "must happen only for a push to main", fix=pipeline.main_only_fix,
                              autofix=gate_push_to_main(pipeline, push))

    @staticmethod
    def _first_unknown(pipeline, project, profile: str) -> bool:
        """"Cannot tell" is said once per CI system: on the first pipeline whose ungated push has no
        trigger in the scanned files."""
        for other in ci_pipelines(project):
            if other.system == pipeline.system and other.judged and any(
                    _undecidable(other, outside_main(other, push, profile)) for push in existing(other, PUSH)):
                return other is pipeline
        return False

    @staticmethod
    def unknown_trigger_fix(pipeline) -> str:
        if pipeline.system == "github":
            return ("lint the workflows that call this reusable workflow with it, or gate the push here with "
                    "`if: github.ref == 'refs/heads/main'`")
        if pipeline.system == "cloudbuild":
            return ("keep the trigger's export in the repository (`gcloud builds triggers export NAME "
                    "--destination=cloudbuild.trigger.yaml`) with `push: branch: ^main$`")
        return ("add the EventListener, TriggerBinding and TriggerTemplate that start the pipeline to the scanned "
                "files, or give the push task a `when` on the revision")


def _undecidable(pipeline, outside) -> bool:
    """The push may run outside main only where what starts the pipeline is configured outside the
    scanned files (no trigger there, or a call from a workflow that is not among them)."""
    return bool(outside) and (not pipeline.triggers_known or all(u.scenario.unknown for u in outside))
