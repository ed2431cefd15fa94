"""Fixes: the edits that make a finding go away, computed from the parsed models.

One module per kind of fix; a rule's ``check`` attaches the ``Fix`` it gets from here to its
report. Every fix is idempotent (the finding it fixes is gone afterwards, so nothing is offered
a second time) and is checked by re-linting the fixed files (``tests/test_fixes.py``).
"""
