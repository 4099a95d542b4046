"""Enforcement services: every state change of case leads (and, later, penalty cases); nothing
else writes enforcement rows. One module per area."""
