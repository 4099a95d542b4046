"""views of the appeals app."""
