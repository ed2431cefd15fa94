from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.core.source import Span
from gpulint.rules.base import Report, Rule
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.secrets import tokens_in


class SecretInYaml(Rule):
    """
    ## What it does
    Reports a credential of a known shape in any value of a YAML file: a container's `env`
    value, a workflow's or pipeline's `env`/`variables`, a ConfigMap entry, an argument. The
    shapes are Hugging Face `hf_…`, GitHub `ghp_…`/`gho_…`/`github_pat_…`, AWS `AKIA…`/`ASIA…`,
    GitLab `glpat-…`, Slack `xox…`, NVIDIA `nvapi-…` and PEM private key blocks (see
    `gpulint/syntax/secrets.py`). Placeholders (`hf_xxxxxxxx`, `AKIAIOSFODNN7EXAMPLE`,
    `<your-token>`, `${HF_TOKEN}`, `REPLACE_ME`) and look-alikes without enough distinct
    characters to be random are not credentials. Comments are not read.

    ## Why is this bad?
    A token committed to the repository is readable by everyone who can read the repository, its
    forks and every clone, and stays in the history after it is deleted; a token in a
    manifest's `env` is also visible to anyone who can `kubectl get` the object. A Hugging Face
    or NGC key lets others pull gated models on your account; a GitHub or cloud key does worse.

    ## Example
    ```yaml
    env:
      - name: HUGGING_FACE_HUB_TOKEN
        value: hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567
    ```

    ## Use instead
    ```yaml
    env:
      - name: HUGGING_FACE_HUB_TOKEN
        valueFrom:
          secretKeyRef: {name: hf-token, key: token}
    ```

    ## Fix
    Revoke and rotate the credential, then read it from a Kubernetes Secret (`secretKeyRef`), a CI
    secret (`${{ secrets.HF_TOKEN }}`) or a secret manager instead of the file.
    """

    id = "GL005"
    name = "secret-in-yaml"
    severity = Severity.ERROR
    kind = "yaml"
    criterion = None
    summary = "a YAML value holds a credential of a known shape (Hugging Face, GitHub, AWS, GitLab, Slack, NGC token, private key)"
    fix = "revoke and rotate it; read it from a Kubernetes Secret (secretKeyRef) or a CI secret instead"

    def check(self, yaml_file, project) -> Iterator[Report]:
        source = yaml_file.source
        for document in yaml_file.documents:
            for path, node in Y.walk(document):
                if not Y.is_scalar(node) or node.tag != Y.STR_TAG or len(node.value) < 16:
                    continue
                for token in tokens_in(node.value):
                    where = ".".join(str(p) for p in path) or "the document"
                    span = Y.span(source, node)
                    value = node.value[token.start:token.end]
                    at = source.text.find(value, span.start, span.end + 1) if span.end > span.start else -1
                    if at >= 0:
                        span = Span(source, at, at + len(value))
                    yield self.report(span, f"{where} holds {token.what} ({token.shown(node.value)}): anyone who "
                                            "can read the repository (or the object) can use it")
