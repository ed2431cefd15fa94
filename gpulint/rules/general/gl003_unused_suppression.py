from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.rules.base import Rule


class UnusedSuppression(Rule):
    """
    ## What it does
    Reports a `# gpulint: ignore=...` comment that suppressed nothing in this run.

    ## Why is this bad?
    A stale suppression hides nothing today but will silently hide a real problem tomorrow,
    and it tells readers a rule fires here when it does not.

    ## Example
    ```dockerfile
    # gpulint: ignore=GL102
    USER app
    ```

    ## Use instead
    ```dockerfile
    USER app
    ```

    ## Fix
    Delete the comment, or correct the rule id if it was meant for another rule.
    """

    id = "GL003"
    name = "unused-suppression"
    severity = Severity.INFO
    kind = "suppression"
    summary = "an inline suppression comment suppressed nothing"
    fix = "delete the suppression comment"

    def check(self, suppressions, project):
        for suppression in suppressions.unused():
            what = ", ".join(suppression.rules) if suppression.rules else "every rule"
            scope = "in this file" if suppression.whole_file else "on this line or the next"
            yield self.report(suppression.span, f"suppression of {what} matches no finding {scope}")
