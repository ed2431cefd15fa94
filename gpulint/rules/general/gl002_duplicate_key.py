from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.rules.base import Rule


class DuplicateKey(Rule):
    """
    ## What it does
    Reports a key that appears twice in the same YAML mapping.

    ## Why is this bad?
    PyYAML silently keeps the last value and many tools read it that way, while `kubectl`
    (strict decoding) rejects the whole manifest and other readers keep the first. A
    `nvidia.com/gpu: 1` shadowed by a later `nvidia.com/gpu: 0` means the file says two things
    at once; gpulint judges such a file the way `kubectl` would: it fails.

    ## Example
    ```yaml
    resources:
      limits:
        nvidia.com/gpu: 1
        nvidia.com/gpu: 0
    ```

    ## Use instead
    ```yaml
    resources:
      limits:
        nvidia.com/gpu: 1
    ```

    ## Fix
    Keep one occurrence of the key, with the value you mean.
    """

    id = "GL002"
    name = "duplicate-key"
    severity = Severity.ERROR
    kind = "yaml"
    summary = "a YAML mapping repeats a key; kubectl rejects the file and loaders disagree on the value"
    fix = "remove the repeated key and keep the value you mean"

    def check(self, yaml_file, project):
        for duplicate in yaml_file.duplicates:
            first = Y.line(yaml_file.source, duplicate.first)
            effect = ("kubectl rejects the file and PyYAML silently keeps this later value"
                      if _in_manifest(yaml_file, duplicate) else
                      "readers that accept it (PyYAML, Ruby's Psych) silently keep this later value and drop the "
                      "first, while go-yaml rejects the file")
            yield self.report(
                Y.span(yaml_file.source, duplicate.key),
                f"duplicate key '{duplicate.key.value}' (first defined on line {first}); {effect}",
                criterion=_criterion(yaml_file, duplicate),
            )


def _in_manifest(yaml_file, duplicate) -> bool:
    """The duplicate sits in a Kubernetes object (a document with an apiVersion)."""
    for document in yaml_file.documents:
        if Y.get(document, "apiVersion") is not None and any(n is duplicate.mapping for _, n in Y.walk(document)):
            return True
    return False


def _criterion(yaml_file, duplicate) -> str | None:
    """The lab criterion a duplicate undermines, judged by where it sits in a Deployment."""
    key = duplicate.key.value
    for document in yaml_file.documents:
        for path, node in Y.walk(document):
            if node is duplicate.mapping:
                joined = "/".join(str(p) for p in path) + "/" + key
                if "Probe" in joined:
                    return "deployment.probes"
                if "resources" in joined:
                    return "deployment.gpu"
                if "strategy" in joined:
                    return "deployment.rolling"
                if Y.get(document, "apiVersion") is not None:
                    return "deployment.shape"
                return None
    return None
