"""Google Cloud Build configurations and triggers."""
