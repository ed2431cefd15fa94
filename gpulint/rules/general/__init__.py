"""GL0xx: rules about files as a whole (parsing, suppressions, missing artifacts)."""
