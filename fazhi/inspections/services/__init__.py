"""Inspection services: every state change. One module per area."""
