"""Fazhi (法治): rule-of-law administration platform for health commissions."""

__version__ = "0.1.0"
