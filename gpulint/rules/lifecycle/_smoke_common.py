"""Where smoke-test findings about a missing check point."""

from __future__ import annotations

from gpulint.core.source import Span


def anchor(script) -> Span:
    """The first GPU call of the script (where the checks live), else its first line."""
    uses = sorted(script.gpu_uses(), key=lambda u: (u.node.lineno, u.node.col_offset))
    if uses:
        return script.node_span(uses[0].node)
    return Span.at_line(script.source, 1)
