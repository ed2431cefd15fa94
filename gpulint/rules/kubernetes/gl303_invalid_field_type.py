from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.kubernetes.model import Manifests, is_template_placeholder, schema_problems
from gpulint.rules.criteria import field_criterion
from gpulint.rules.base import Report, Rule
from gpulint.syntax.placeholders import placeholder_in


class InvalidFieldType(Rule):
    """
    ## What it does
    Checks the JSON type of every field of workload manifests against the Kubernetes API: a
    string where a list is expected (`command: python3 /app/smoke_test.py`), a number where a
    string is expected (a label value `version: 1.10`), a mapping where a list is expected
    (`containers:` without `-`). Scalars are typed the way kubectl's YAML reader types them.

    A value that is only a placeholder (`replicas: $REPLICAS`, `<gpus>`), filled in by envsubst
    or a CI step before the manifest is applied, cannot be judged: one info finding says so.

    ## Why is this bad?
    `kubectl apply` rejects the whole manifest ("cannot unmarshal string into Go struct
    field ... of type []string"), so nothing is deployed; and a value that YAML silently turned into
    another type (`1.10` becomes the number 1.1) no longer says what was meant.

    ## Example
    ```yaml
    readinessProbe:
      exec:
        command: python3 /app/smoke_test.py
    ```

    ## Use instead
    ```yaml
    readinessProbe:
      exec:
        command: ["python3", "/app/smoke_test.py"]
    ```

    ## Fix
    Write the value with the type the message names: quote strings, use `[...]` or `-` items for
    lists, and nest mappings.
    """

    id = "GL303"
    name = "invalid-field-type"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = None  # per finding: a Deployment's section decides (shape, probes, gpu, rolling)
    summary = "a manifest field has the wrong type (string vs list, number vs string, ...); kubectl rejects it"
    fix = "write the value with the type the API expects (quote strings, use lists where lists are expected)"

    def check(self, manifests: Manifests, project) -> Iterator[Report]:
        for obj in manifests.objects:
            for problem in schema_problems(obj):
                if problem.message.startswith("unknown field") or is_template_placeholder(problem.node):
                    continue  # typos are GL302's; `{{ .Values.x }}` is only known once the chart is rendered
                placeholder = placeholder_in(Y.text(problem.node)) if Y.is_scalar(problem.node) else None
                if placeholder is not None and Y.text(problem.node).strip() == placeholder:
                    yield self.report(Y.span(manifests.source, problem.node),
                                      f"cannot judge: {problem.message.split(',')[0]}, and {placeholder} is a "
                                      "placeholder filled in before the manifest is applied (envsubst, a CI step)",
                                      severity=Severity.INFO, criterion=field_criterion(obj, problem.path),
                                      fix="check the rendered manifest")
                    continue
                yield self.report(Y.span(manifests.source, problem.node),
                                  f"{problem.message}; kubectl rejects the manifest",
                                  criterion=field_criterion(obj, problem.path))

