"""Discretion benchmarks: selectors (one module per area)."""
