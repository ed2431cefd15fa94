from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.rules.base import Rule
from gpulint.rules.selectors import did_you_mean, selector_problem


class UnusedSuppression(Rule):
    """
    ## What it does
    Reports a `# gpulint: ignore=...` comment that suppressed nothing in this run, and one that
    names a rule that does not exist (with the nearest rule id or name).

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
        unused = {id(s) for s in suppressions.unused()}
        for items in suppressions.by_source.values():
            for suppression in items:
                unknown = [ref for ref in suppression.rules if selector_problem(ref, exact=True)]
                if unknown:  # a misspelt id or name suppresses nothing, used or not
                    named = ", ".join(f"{ref!r}{did_you_mean(ref)}" for ref in unknown)
                    yield self.report(suppression.span, f"suppression names no rule: {named}",
                                      fix="correct the rule id or name (`gpulint rules` lists them), or delete it")
                elif id(suppression) in unused:
                    what = ", ".join(suppression.rules) if suppression.rules else "every rule"
                    scope = "in this file" if suppression.whole_file else "on this line or the next"
                    yield self.report(suppression.span, f"suppression of {what} matches no finding {scope}")
