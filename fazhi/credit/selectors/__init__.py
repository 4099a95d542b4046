"""Credit selectors."""
