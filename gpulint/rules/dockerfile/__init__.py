"""GL1xx: Dockerfile rules."""
