"""Enforcement API, one module per area; ``fazhi.enforcement.api_urls`` joins their URLs."""
