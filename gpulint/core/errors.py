"""Errors that end a run (exit status 2) instead of becoming findings."""

from __future__ import annotations


class UsageError(Exception):
    """A run that cannot start: bad arguments, a missing path, an unusable configuration."""


class MissingDependency(RuntimeError):
    """A package gpulint needs is missing or broken. Judging without it would turn an install
    problem into verdicts (a shell script it cannot read looks like one that does nothing), so the
    run stops and says which package to install."""

    def __init__(self, package: str, reason: str) -> None:
        super().__init__(package, reason)
        self.package = package
        self.reason = reason

    def __str__(self) -> str:
        return (f"the required package '{self.package}' is missing or broken ({self.reason}); "
                f"install it (pip install {self.package}) or reinstall gpulint with its dependencies")
