"""Core pages, one module per area; ``fazhi.core.urls`` joins their URLs."""
