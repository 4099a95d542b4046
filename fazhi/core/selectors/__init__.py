"""Core selectors: every scoped read of the kernel. One module per area."""
