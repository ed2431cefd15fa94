"""Reporters: each turns one list of findings into one output format, and does nothing else."""
