"""GL6xx: CI systems other than GitHub Actions (GitLab CI, Cloud Build, Tekton)."""
