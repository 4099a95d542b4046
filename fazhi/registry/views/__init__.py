"""Registry pages, one module per area; ``fazhi.registry.urls`` joins their URLs."""
