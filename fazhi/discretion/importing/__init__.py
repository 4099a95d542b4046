"""Discretion benchmarks: importing (one module per area)."""
