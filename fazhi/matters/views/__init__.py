"""Incoming matters: views, one module per area."""
