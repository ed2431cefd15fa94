"""`gpulint init`: a complete, passing GPU container lifecycle written into a repository."""
