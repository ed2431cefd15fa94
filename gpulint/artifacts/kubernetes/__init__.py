"""Kubernetes objects, their field schema, pod templates and GPU requests."""
