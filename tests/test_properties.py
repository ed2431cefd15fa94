"""Property-based tests: random mutations of the reference artifacts and random YAML never make
gpulint raise, and every finding's line and column point inside the file."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parent / "fuzz"))
from targets import check_bytes, mutated_artifact, random_yaml  # noqa: E402

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(mutated_artifact())
def test_mutated_reference_artifacts(case):
    check_bytes(*case)


@SETTINGS
@given(random_yaml())
def test_random_yaml(case):
    check_bytes(*case)
