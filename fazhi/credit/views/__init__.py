"""Credit pages."""
