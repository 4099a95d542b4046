"""Penalty cases (行政处罚). For now only the case lead that a random inspection refers."""
