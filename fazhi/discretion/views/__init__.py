"""Discretion benchmarks: views (one module per area)."""
