"""Placeholders: text that stands for a value someone fills in later, not a value.

Real projects ship manifests and Dockerfiles as templates for their readers: ``image:
${IMAGE_URI}`` (envsubst), ``{{ .Values.image }}`` (Helm), ``<account>.dkr.ecr.<region>.amazonaws
.com/<image>:<tag>`` (a README's angle brackets), ``FILLED_BY_CI``, ``change-me``, ``REPLACE_ME``,
``YOUR_HF_TOKEN``, AWS's documented example key ``AKIAIOSFODNN7EXAMPLE``. A finding that depends
on such text cannot be judged: the value is decided elsewhere. ``placeholder_in(text)`` returns
the placeholder found (for the message), or None.
"""

from __future__ import annotations

import re

# envsubst/shell `${VAR}` and `$VAR`, Kubernetes `$(VAR)`, Go/Helm/Jinja `{{ }}` and `{% %}`,
# GitHub/Tekton `${{ }}`/`$(params.x)`, and `<words in angle brackets>`.
_MARKUP = re.compile(r"\$\{[^}]*\}|\$\([A-Za-z_][\w.\-]*\)|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*?\}\}|\{%.*?%\}"
                     r"|<[A-Za-z][\w .\-/|]*>")
# Words that say "fill this in" (matched on the whole word, case-insensitive).
_FILL_WORDS = re.compile(
    r"(?<![A-Za-z0-9])(?:filled[_-]?by[_-]?\w*|fill[_-]?(?:me|in|this)\w*|to[_-]?be[_-]?filled\w*|replace[_-]?me"
    r"|replace[_-]?with[_-]?\w*|(?:replaced|overridden|overwritten)[_-]by[_-]\w+"
    r"|change[_-]?me|changeme|change[_-]?this|placeholder|your[_-][\w\-]+|my[_-]?token"
    r"|xxx+|redacted|dummy[_-]?\w*|fake[_-]?\w*|example[_-]?(?:token|key|secret|password)|todo)(?![A-Za-z0-9])",
    re.IGNORECASE)
# Documented example credentials: AWS's `...EXAMPLE` keys, a token made of one repeated character.
_EXAMPLE_SUFFIX = re.compile(r"EXAMPLE(?:KEY)?$")
_REPEATED = re.compile(r"^(?:[A-Za-z]+_)?(.)\1{7,}$")


def placeholder_in(text: object) -> str | None:
    """The placeholder ``text`` contains (``${IMAGE_URI}``, ``<tag>``, ``REPLACE_ME``), or None."""
    if not isinstance(text, str) or not text:
        return None
    match = _MARKUP.search(text)
    if match:
        return match.group(0)
    match = _FILL_WORDS.search(text)
    if match:
        return match.group(0)
    stripped = text.strip()
    if _EXAMPLE_SUFFIX.search(stripped) or _REPEATED.match(stripped):
        return stripped
    return None


def is_placeholder(text: object) -> bool:
    return placeholder_in(text) is not None
