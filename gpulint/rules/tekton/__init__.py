"""Rules specific to Tekton."""
