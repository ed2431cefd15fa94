"""GitLab CI pipelines."""
