"""gpulint: lint and grade the artifacts of a GPU container's lifecycle."""

__version__ = "0.4.0"
