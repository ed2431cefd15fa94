from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.project.lifecycle import smoke_tests
from gpulint.artifacts.visible_devices import deciding_reads
from gpulint.rules.base import Report, Rule


class SmokeTestReadsVisibleDevices(Rule):
    """
    ## What it does
    Reports a smoke test that reads `CUDA_VISIBLE_DEVICES` itself to decide its exit code: the
    variable (`os.environ[...]`, `os.environ.get(...)`, `os.getenv(...)`, `"..." in os.environ`,
    or a name assigned from one of those) appears in the test of an `if`/`while` whose branch
    exits, returns or raises, in an `assert`, or in a conditional expression that becomes the
    exit code. Printing the variable, or setting it, is fine. Applies to the smoke test of a
    lifecycle project (the HEALTHCHECK's script, or `smoke_test.py` next to a workflow or a
    manifest). Its criterion is the live `smoketest.negative`, which it fails even without a
    live run.

    ## Why is this bad?
    The negative test runs the smoke test with `CUDA_VISIBLE_DEVICES=''` to prove that the
    *checks* fail without a usable GPU. A script that looks at the variable and exits 3 passes
    that test without ever asking CUDA, whether or not its real checks work: the test is gamed,
    and a broken check ships.

    ## Example
    ```python
    if os.environ.get("CUDA_VISIBLE_DEVICES") == "":
        sys.exit(3)
    ```

    ## Use instead
    ```python
    if not torch.cuda.is_available():
        sys.exit(3)
    ```

    ## Fix
    Let `torch.cuda.is_available()` (or `torch.cuda.device_count()`) decide; mention the variable
    only in the failure message.
    """

    id = "GL516"
    name = "smoke-test-reads-visible-devices"
    severity = Severity.ERROR
    kind = "project"
    criterion = "smoketest.negative"
    summary = "the smoke test reads CUDA_VISIBLE_DEVICES to decide its exit code, which games the negative test"
    fix = "let torch.cuda.is_available() decide the exit code; only print CUDA_VISIBLE_DEVICES"

    def check(self, project, _project=None) -> Iterator[Report]:
        for script in smoke_tests(project):
            for node in deciding_reads(script.tree):
                yield self.report(script.node_span(node),
                                  "the smoke test reads CUDA_VISIBLE_DEVICES to decide its exit code: with "
                                  "CUDA_VISIBLE_DEVICES='' it fails without asking CUDA, so the negative test "
                                  "passes whether or not its GPU checks work")
