"""Tekton Pipelines, Tasks and triggers."""
