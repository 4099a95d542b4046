"""Registry services: every state change of the directory. One module per area."""
