"""Credit API."""
