from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.artifacts.smoketest import analyse
from gpulint.project.lifecycle import smoke_tests
from gpulint.rules.base import Report, Rule
from gpulint.rules.lifecycle._smoke_common import anchor


class SmokeTestExitCodes(Rule):
    """
    ## What it does
    Warns when the smoke test does not exit with at least two distinct non-zero codes, one per
    failed check (e.g. 2 for NVML, 3 for CUDA, 4 for the computation). Codes are read from
    `sys.exit(...)`, `exit(...)`, `os._exit(...)` and `raise SystemExit(...)`, following
    module constants (`EXIT_NVML = 2`) and helper functions whose return value is passed to
    `sys.exit` (`sys.exit(main())`). Applies when the smoke test sits in a project with a
    workflow or a Kubernetes manifest.

    ## Why is this bad?
    One code for every failure (or only uncaught exceptions, which exit 1) hides *what* broke:
    the CI log, `docker inspect` health output and the probe events all say "exit 1". The
    negative CI run cannot assert that hiding the GPU fails the CUDA check (exit 3) rather than
    crashing on an import, so a smoke test broken for an unrelated reason still "fails as
    expected".

    ## Example
    ```python
    if not torch.cuda.is_available():
        sys.exit(1)
    if not ok:
        sys.exit(1)
    ```

    ## Use instead
    ```python
    EXIT_CUDA, EXIT_COMPUTE = 3, 4
    if not torch.cuda.is_available():
        sys.exit(EXIT_CUDA)
    if not ok:
        sys.exit(EXIT_COMPUTE)
    ```

    ## Fix
    Give each check its own non-zero exit code and document them at the top of the script.
    """

    id = "GL508"
    name = "smoke-test-exit-codes"
    severity = Severity.WARNING
    kind = "project"
    criterion = None
    summary = "the smoke test does not exit with distinct non-zero codes per failed check"
    fix = "exit with a distinct code per check, e.g. 2 NVML, 3 CUDA, 4 compute"

    def check(self, project, _project=None) -> Iterator[Report]:
        for script in smoke_tests(project):
            result = analyse(script)
            codes = sorted(c for c in result.exit_codes if c != 0)
            if len(codes) >= 2:
                continue
            span = script.node_span(result.exits[0]) if result.exits else anchor(script)
            said = (f"only exits with code {codes[0]}" if codes else "never exits with an explicit non-zero code")
            yield self.report(span, f"the smoke test {said} when a check fails: CI, Docker and the probes "
                                    "cannot tell an NVML failure from a CUDA or compute failure")
