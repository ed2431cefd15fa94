"""One CI model with an adapter per CI system (GitHub Actions, GitLab CI, Cloud Build, Tekton)."""
