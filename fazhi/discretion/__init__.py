"""Discretion benchmarks (行政处罚裁量基准): tables as data, their import, the assistant."""
