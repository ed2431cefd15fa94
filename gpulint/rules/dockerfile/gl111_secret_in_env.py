from __future__ import annotations

import re

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.core.source import Span
from gpulint.artifacts.dockerfile.variables import parse_arg, parse_env
from gpulint.rules.base import Report, Rule
from gpulint.syntax.placeholders import placeholder_in
from gpulint.syntax.secrets import tokens_in
from gpulint.syntax.shell import parse_shell

# Name words (split on `_`) that mark a secret; pairs of words that do.
_WORDS = {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "PASSPHRASE", "CREDENTIAL", "CREDENTIALS"}
_PAIRS = {("API", "KEY"), ("ACCESS", "KEY"), ("PRIVATE", "KEY"), ("SECRET", "KEY"), ("AUTH", "KEY"),
          ("CLIENT", "SECRET"), ("ACCESS", "TOKEN")}
# A last word that makes the variable point at a secret rather than hold one.
_POINTERS = {"FILE", "PATH", "DIR", "URL", "URI", "NAME", "ENDPOINT", "HOST", "PORT", "ID", "LENGTH", "TTL",
             "TYPE", "HEADER", "ENABLED", "REQUIRED", "MODE", "SECONDS", "EXPIRY", "ROLE", "VERSION"}
_HARMLESS = {"true", "false", "yes", "no", "0", "1", "none", "null", "on", "off"}


def secret_name(name: str) -> bool:
    words = [w for w in re.split(r"[^A-Za-z0-9]+", name.upper()) if w]
    if not words or words[-1] in _POINTERS:
        return False
    return any(w in _WORDS for w in words) or any(pair in _PAIRS for pair in zip(words, words[1:]))


def literal_secret(value: str | None) -> bool:
    if value is None:
        return False
    text = value.strip()
    return bool(text) and "$" not in text and text.lower() not in _HARMLESS and not text.startswith("/")


class SecretInEnv(Rule):
    """
    ## What it does
    Reports an `ENV` or `ARG` whose name says it holds a secret (`*PASSWORD*`, `*SECRET*`,
    `*TOKEN*`, `*API_KEY*`, `AWS_SECRET_ACCESS_KEY`, `HF_TOKEN`, …, matched on the `_`-separated
    words of the name, so `TOKENIZERS_PARALLELISM` is not one) and that is given a literal,
    non-empty value. References (`ENV HF_TOKEN=$HF_TOKEN`), empty values, `true`/`false`, file
    paths and names that point at a secret (`*_FILE`, `*_PATH`, `*_URL`, `*_ID`) are fine.

    It also reports a credential of a known shape anywhere in an `ENV`, `ARG`, `LABEL` or `RUN`
    (the RUN's parsed shell words and heredocs): Hugging Face `hf_…`, GitHub `ghp_…`/`gho_…`/
    `github_pat_…`, AWS `AKIA…`/`ASIA…`, GitLab `glpat-…`, Slack `xox…`, NVIDIA `nvapi-…` and
    PEM private key blocks (see `gpulint/syntax/secrets.py`). Placeholders (`hf_xxxxxxxx`,
    `AKIAIOSFODNN7EXAMPLE`, `<your token>`, `REPLACE_ME`, `${HF_TOKEN}`) are not credentials.

    ## Why is this bad?
    `ENV` values are stored in the image config and `ARG` values in the image history
    (`docker history`, `docker inspect`): everyone who can pull the image (and every GPU node
    that caches it) can read them, and the value is committed to the repository with the
    Dockerfile. A leaked registry or Hugging Face token from a published image is a common
    incident; rotating it means rebuilding every image that baked it in.

    ## Example
    ```dockerfile
    ENV HF_TOKEN=hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345
    ```

    ## Use instead
    ```dockerfile
    # at build time: RUN --mount=type=secret,id=hf_token HF_TOKEN=$(cat /run/secrets/hf_token) ...
    # at run time: a Kubernetes Secret in the container's env (secretKeyRef)
    ```

    ## Fix
    Remove the value from the Dockerfile and rotate it; pass build-time secrets with
    `RUN --mount=type=secret` and runtime secrets from a Kubernetes Secret.
    """

    id = "GL111"
    name = "secret-in-dockerfile"
    severity = Severity.ERROR
    kind = "dockerfile"
    criterion = None
    summary = "an ENV, ARG, LABEL or RUN bakes a literal secret (password, token, API key, private key) into the image"
    fix = "delete the value and rotate it; use RUN --mount=type=secret at build time, a Kubernetes Secret at run time"

    def check(self, dockerfile, project):
        for instruction in dockerfile.instructions:
            named = set()
            if instruction.keyword == "ENV":
                pairs = parse_env(instruction.body)
            elif instruction.keyword == "ARG":
                pairs = parse_arg(instruction.body)
            else:
                pairs = []
            for name, value in pairs:
                if secret_name(name) and literal_secret(value) and placeholder_in(value) is None:
                    named.add(value)
                    span = _name_span(instruction, name)
                    what = "the image config" if instruction.keyword == "ENV" else "the image history"
                    yield self.report(span, f"{instruction.keyword} {name} holds a literal secret; it is stored "
                                            f"in {what} for anyone who can pull the image, and in the repository")
            if instruction.keyword in ("ENV", "ARG", "LABEL", "RUN"):
                yield from self._tokens(dockerfile, instruction, named)

    def _tokens(self, dockerfile, instruction, named: set) -> Iterator[Report]:
        """Credentials of a known shape in the instruction's words (RUN: the parsed shell words)."""
        if instruction.keyword == "RUN":
            texts = [w.text for c in parse_shell(instruction.body, errexit=False).commands for w in c.words]
            texts += [h.body for h in instruction.heredocs]
        else:
            texts = [instruction.body]
        where = {"ENV": "the image config", "LABEL": "the image config", "ARG": "the image history",
                 "RUN": "the image history (the RUN command line) and its layer"}[instruction.keyword]
        seen = set()
        for text in texts:
            for token in tokens_in(text):
                value = text[token.start:token.end]
                if value in seen or any(value in v for v in named):
                    continue  # one finding per credential; a named secret is reported above
                seen.add(value)
                yield self.report(self._span_of(dockerfile, instruction, value),
                                  f"{instruction.keyword} contains {token.what} ({token.shown(text)}); it is stored in "
                                  f"{where} for anyone who can pull the image, and in the repository")

    @staticmethod
    def _span_of(dockerfile, instruction, value: str):
        at = instruction.args.find(value)
        if at >= 0:
            return instruction.args_span(at, at + len(value))
        at = dockerfile.source.text.find(value, instruction.start, instruction.end + 1)
        return Span(dockerfile.source, at, at + len(value)) if at >= 0 else instruction.span()


def _name_span(instruction, name: str):
    args = instruction.args
    at = args.find(name, instruction.body_index)
    while at > 0 and (args[at - 1].isalnum() or args[at - 1] == "_"):
        at = args.find(name, at + 1)
    if at < 0:
        return instruction.span()
    end = at + len(name)
    while end < len(args) and not args[end].isspace():
        end += 1
    return instruction.args_span(at, end)
