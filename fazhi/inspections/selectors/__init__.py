"""Inspection selectors: every scoped read. One module per area."""
