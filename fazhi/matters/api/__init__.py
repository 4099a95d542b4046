"""Incoming matters: api, one module per area."""
