"""Discovery, loading, suppressions and the run that applies the rules."""
