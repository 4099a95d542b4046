"""Discretion benchmarks: services (one module per area)."""
