"""GL2xx: GitHub Actions workflow rules."""
