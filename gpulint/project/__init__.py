"""What one run knows about a project: its configuration, its artifacts and the facts across them."""
