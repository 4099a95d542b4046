"""Discretion benchmarks: api (one module per area)."""
