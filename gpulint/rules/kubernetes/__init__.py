"""GL3xx: Kubernetes manifest rules."""
