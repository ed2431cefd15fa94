from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.ci.commands import PUSH
from gpulint.ci.gitlab.pipeline import judged, scenario_list
from gpulint.rules.base import Rule


class GitLabPushNotMainOnly(Rule):
    """
    ## What it does
    Checks that every GitLab job that pushes an image can run only for main. The pipeline is
    evaluated in each scenario: a merge request pipeline, a push to a feature branch, a push to
    main, a tag, a scheduled pipeline (on main) and a manual "Run pipeline" on a feature branch.
    `workflow: rules` decide whether the pipeline is created; the job's `rules:` are evaluated
    first-match with GitLab's expression language (`$CI_COMMIT_BRANCH == "main"`,
    `$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH`, `=~ /regex/`, `&&`, `||`, `when: never`), and
    legacy `only:`/`except:` (refs, `variables`) the way GitLab reads them. A job without
    `rules`/`only` runs for every branch and tag. A clause that cannot be decided (`changes:`, a
    variable set outside the file) counts as "may run".

    ## Why is this bad?
    A push that also runs for merge requests, feature branches or tags publishes images nobody
    reviewed or merged, and overwrites tags that deployments pull. An inverted test
    (`$CI_COMMIT_BRANCH != "main"`) pushes everything except main.

    ## Example
    ```yaml
    push:
      stage: deploy
      script:
        - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"
    ```

    ## Use instead
    ```yaml
    push:
      stage: deploy
      rules:
        - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
      script:
        - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"
    ```

    ## Fix
    Give the push job `rules: - if: $CI_COMMIT_BRANCH == "main"` (or `only: [main]`), or gate
    the whole pipeline with `workflow: rules`.
    """

    id = "GL606"
    name = "gitlab-push-not-gated-to-main"
    severity = Severity.ERROR
    kind = "gitlab"
    criterion = "workflow.push-gated"
    covers = ("gitlab",)
    summary = "a GitLab job that pushes the image can run for something other than main"
    fix = "add `rules: - if: $CI_COMMIT_BRANCH == \"main\"` to the push job"

    def check(self, pipeline, project):
        if not judged(pipeline, project):
            return
        seen: set[str] = set()
        for hit in pipeline.existing(PUSH):
            if hit.job.name in seen:
                continue
            seen.add(hit.job.name)
            outside = pipeline.outside_main(hit)
            if not outside:
                continue
            job = hit.job
            them = "them" if len(outside) > 1 else "it"
            gate = f"its `rules:` do not exclude {them}" if job.get("rules") is not None else \
                f"its `only:`/`except:` do not exclude {them}" if job.get("only") is not None \
                or job.get("except") is not None else "it has no `rules:` or `only:`, so it runs in every pipeline"
            yield self.report(hit.span(), f"job '{job.name}' pushes the image ({hit.detail}) and can run "
                              f"{scenario_list(outside)}: {gate}; a push "
                              "must happen only for main")
