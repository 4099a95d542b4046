"""Core services: every state change of the kernel. One module per area."""
