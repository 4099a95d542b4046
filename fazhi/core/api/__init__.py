"""Core API, one module per area; ``fazhi.core.api_urls`` joins their URLs."""
