"""Registry selectors: every scoped read of the directory. One module per area."""
