"""Registry API, one module per area; ``fazhi.registry.api_urls`` joins their URLs."""
