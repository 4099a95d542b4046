"""Credit services."""
