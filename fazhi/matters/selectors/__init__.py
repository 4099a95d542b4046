"""Incoming matters: selectors, one module per area."""
