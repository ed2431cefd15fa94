"""Dockerfiles: instructions and stages, variables, the build context, the HEALTHCHECK."""
