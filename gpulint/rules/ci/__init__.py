"""GL201-GL207: what the lifecycle asks of every CI pipeline (GitHub Actions, GitLab CI, Cloud Build, Tekton), each written once over the CI model."""
