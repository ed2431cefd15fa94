from __future__ import annotations

from gpulint.project.config import profile_of
from gpulint.core.findings import Severity
from gpulint.ci.commands import PUSH
from gpulint.ci.github.pipeline import first_per_step, pipeline, scenario_list
from gpulint.ci.github.reuse import judged_through_callers
from gpulint.rules.base import Rule


class PushNotMainOnly(Rule):
    """
    ## What it does
    Checks that every step that pushes an image can run only for a push to `main`. The workflow
    is evaluated in each scenario its `on:` allows (a pull request to main, a push to a feature
    branch, a push to main, a tag push, `workflow_dispatch` on a branch, and schedule, release,
    `pull_request_target` … when listed): branch and tag filters decide whether it starts, then
    the job's and step's `if:` (and an action's `push:` input) are evaluated with GitHub's
    expression rules. Expressions that cannot be decided count as "may run".

    In the `production` profile (the default of `gpulint check`) a push on a version tag or a
    release, a scheduled run on the default branch, and a push to `master` are accepted as
    deliberate publishing; the `lab` profile accepts only a push to main.

    ## Why is this bad?
    A push that also runs for pull requests, feature branches or tags publishes images nobody
    reviewed or merged, and overwrites tags (`latest`, `sha`) that deployments pull. Real
    projects get this wrong often: of 15 public workflows that push images, 9 push with no
    branch restriction. `push: ${{ github.event_name != 'pull_request' }}` still pushes every
    feature branch, and an inverted test (`github.ref != 'refs/heads/main'`) pushes everything
    except main. On self-hosted runners, a pull request that can reach a push step with
    registry credentials is also a supply-chain hole (ultravideo/kvazaar#450).

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
    Gate the push job or step with `if: github.event_name == 'push' && github.ref ==
    'refs/heads/main'`, or set `push: ${{ github.event_name == 'push' && github.ref ==
    'refs/heads/main' }}` on docker/build-push-action.
    """

    id = "GL206"
    name = "push-not-gated-to-main"
    severity = Severity.ERROR
    kind = "workflow"
    criterion = "workflow.push-gated"
    summary = "a step that pushes the image can run for something other than a push to main"
    fix = "gate the push with `if: github.event_name == 'push' && github.ref == 'refs/heads/main'`"

    def check(self, workflow, project):
        if judged_through_callers(project, workflow):
            return  # its pushes are judged in each caller's context
        p = pipeline(workflow, project)
        for hit in first_per_step(p.existing(PUSH), workflow):
            outside = p.outside_main(hit)
            if profile_of(project) == "production":
                outside = [u for u in outside if not _release_or_default_branch(u.scenario)]
            if not outside:
                continue
            job = workflow.jobs[hit.step.job_id]
            ifs = [f"job `if: {e.text.strip()}`" for e in (job.if_,) if e is not None]
            ifs += [f"step `if: {e.text.strip()}`" for e in (hit.step.if_,) if e is not None]
            gate = (" and ".join(ifs) + " does not exclude " + ("it" if len(outside) == 1 else "them")) \
                if ifs else "no `if:` restricts it"
            if hit.push_input is not None:
                gate += f"; its `push:` input is `{(hit.push_input.value if hasattr(hit.push_input, 'value') else '')}`"
            yield self.report(workflow.span(hit.step.key_node),
                              f"the {hit.step.label()} in job '{job.id}' pushes the image ({hit.detail}) and can "
                              f"run {scenario_list(outside)}: {gate}; a push must happen only for a push to main")


def _release_or_default_branch(scenario) -> bool:
    """Publishing that real projects do on purpose (production profile): a version tag or a
    release, a scheduled (nightly) run on the default branch, or a push to `master` as the
    default branch. The lab profile accepts only a push to main."""
    if scenario.key in ("push-tag", "release", "registry_package"):
        return True
    if scenario.key == "push-branch" and str(scenario.ref) == "refs/heads/master":
        return True
    return scenario.key not in ("pull_request", "pull_request_target", "push-branch", "push-main",
                                "workflow_dispatch", "workflow_call", "merge_group") \
        and str(scenario.ref) == "refs/heads/main"
