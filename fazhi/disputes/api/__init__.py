"""Layer package of the disputes app (no re-exports)."""
