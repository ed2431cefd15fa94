"""GL4xx: rollback and promotion plan rules."""
