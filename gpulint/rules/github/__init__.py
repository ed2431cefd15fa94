"""GL208-GL210: rules specific to GitHub Actions workflows (expressions, untrusted pull requests, pinned actions)."""
