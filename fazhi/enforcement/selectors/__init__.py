"""Enforcement selectors: every scoped read of case leads (and, later, penalty cases). One module
per area."""
