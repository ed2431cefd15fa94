"""Credentials recognised by their shape, as their issuers define it.

* Hugging Face user access tokens: ``hf_`` + 34 letters (older organisation tokens ``api_org_``).
* GitHub: personal ``ghp_``, OAuth ``gho_``, user-to-server ``ghu_``, server-to-server ``ghs_``,
  refresh ``ghr_`` (each + 36 characters), fine-grained ``github_pat_`` + 82.
* AWS access key ids: ``AKIA`` (long-term) or ``ASIA`` (temporary) + 16 upper-case letters or digits.
* GitLab personal, project and group access tokens: ``glpat-`` + 20 or more.
* Slack: ``xoxb-``, ``xoxp-``, ``xoxa-``, ``xoxr-``, ``xoxs-``, ``xoxo-`` tokens.
* NVIDIA NGC API keys: ``nvapi-`` + 60 or more.
* PEM private keys: ``-----BEGIN ... PRIVATE KEY-----``.

A match that is a placeholder (``hf_xxxxxxxx``, ``AKIAIOSFODNN7EXAMPLE``, ``ghp_<your token>``)
or has too few distinct characters to be random is not a credential.
"""

from __future__ import annotations

import re

from gpulint.core.records import Record
from gpulint.syntax.placeholders import placeholder_in

_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a Hugging Face access token", re.compile(r"(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,40}(?![A-Za-z0-9])")),
    ("a Hugging Face organisation token", re.compile(r"(?<![A-Za-z0-9_])api_org_[A-Za-z0-9]{30,40}(?![A-Za-z0-9])")),
    ("a GitHub fine-grained token", re.compile(r"(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{60,100}(?![A-Za-z0-9_])")),
    ("a GitHub token", re.compile(r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,255}(?![A-Za-z0-9])")),
    ("an AWS access key id", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("a GitLab access token", re.compile(r"(?<![A-Za-z0-9_])glpat-[A-Za-z0-9_\-]{20,}(?![A-Za-z0-9_\-])")),
    ("a Slack token", re.compile(r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}")),
    ("an NVIDIA NGC API key", re.compile(r"(?<![A-Za-z0-9_])nvapi-[A-Za-z0-9_\-]{60,}")),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
)


class Token(Record, frozen=True):
    what: str  # "a Hugging Face access token"
    start: int  # offset in the text searched
    end: int

    def shown(self, text: str) -> str:
        """The token with most of it masked, for messages."""
        value = text[self.start:self.end]
        return value if value.startswith("-----") else value[:6] + "…"


def _random_enough(value: str) -> bool:
    body = value.split("_", 1)[-1].split("-", 1)[-1]
    return len(set(body)) >= 8


def tokens_in(text: object) -> list[Token]:
    """Credentials of a known shape in ``text`` (placeholders and low-entropy look-alikes excluded)."""
    if not isinstance(text, str) or len(text) < 16:
        return []
    found: list[Token] = []
    for what, pattern in _SHAPES:
        for match in pattern.finditer(text):
            value = match.group(0)
            if what != "a private key" and (placeholder_in(value) is not None or not _random_enough(value)):
                continue
            if any(t.start <= match.start() < t.end for t in found):
                continue
            found.append(Token(what, match.start(), match.end()))
    return sorted(found, key=lambda t: t.start)
