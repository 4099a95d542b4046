"""api of the appeals app."""
