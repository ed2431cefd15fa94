"""GitHub Actions workflows: jobs and steps, matrices, triggers and scenarios, reusable workflows."""
