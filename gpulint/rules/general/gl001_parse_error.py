from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.rules.base import Rule


class ParseError(Rule):
    """
    ## What it does
    Reports a file gpulint could not read or parse: invalid YAML, a Dockerfile syntax error,
    a binary file, a file over the size limit, invalid UTF-8, a YAML alias bomb or a document
    nested too deeply, a symbolic link that leaves the scanned tree, an invalid config file.

    ## Why is this bad?
    A file no tool can parse is a file no rule has checked: kubectl, Docker and GitHub reject
    it, or silently read something other than what was meant. The rest of the run goes on, but
    nothing in this file has been verified.

    ## Example
    ```yaml
    spec:
      containers:
      - name: app
         image: app:1.0   # indented one space too far
    ```

    ## Use instead
    ```yaml
    spec:
      containers:
      - name: app
        image: app:1.0
    ```

    ## Fix
    Correct the syntax at the reported position; for limits, raise `limits` in `.gpulint.yaml`
    only if the file is legitimately that large.
    """

    id = "GL001"
    name = "parse-error"
    severity = Severity.ERROR
    kind = "file"
    summary = "the file cannot be read or parsed, so nothing in it was checked"
    fix = "fix the syntax (or encoding) at the reported position"

    def check(self, problem, project):
        yield self.report(problem.span, problem.message, severity=problem.severity, fix=getattr(problem, "fix", None))
