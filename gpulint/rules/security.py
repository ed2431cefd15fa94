"""Which rules are about security, how severe their findings are, and how often a rule's findings
are right, as code scanning reads them (SARIF ``properties.security-severity``, ``tags`` and
``precision``).

Scores follow GitHub's bands (9.0 and over critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low)
and the usual weight of each weakness: a credential baked into an image layer or a stranger's pull
request running on a persistent self-hosted runner is high to critical; a root container or an
action that can be swapped under a tag is medium; a base image or workload tag that moves is low.
"""

from __future__ import annotations

from gpulint.core.records import Record


class Security(Record, frozen=True):
    severity: float  # 0.1-10.0, GitHub's security-severity
    cwe: tuple[int, ...] = ()


SECURITY: dict[str, Security] = {
    "GL111": Security(8.8, (798,)),  # a literal secret in ENV/ARG: every image layer and `docker history` keep it
    "GL112": Security(8.8, (312,)),  # a private key or credential file copied into the image
    "GL209": Security(9.1, (829,)),  # fork pull requests run on a persistent self-hosted (GPU) runner
    "GL210": Security(6.5, (829,)),  # a third-party action by a tag its owner (or a thief) can move
    "GL102": Security(6.0, (250,)),  # the container runs as root
    "GL206": Security(5.0, (284,)),  # the image can be pushed for something other than a push to main
    "GL110": Security(3.1, (1357,)),  # the base image moves under a tag, or :latest
    "GL309": Security(3.1, (1357,)),  # a workload runs an image by :latest or no tag
}

# How often a rule's findings are right, where it is less than high: the rules whose findings rest
# on what gpulint cannot see (see gpulint.core.findings.CONFIDENCES).
PRECISION: dict[str, str] = {
    "GL204": "low",  # whether a runner has a GPU is decided outside the repository
}
# A finding's own confidence as SARIF's precision words.
CONFIDENCE_PRECISION = {"high": "high", "medium": "medium", "low": "low"}


def security_of(rule_id: str) -> Security | None:
    return SECURITY.get(rule_id)


def precision_of(rule_id: str) -> str:
    return PRECISION.get(rule_id, "high")
