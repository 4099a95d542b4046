"""Incoming matters: services, one module per area."""
