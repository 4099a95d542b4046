"""Registry pages, one module per area, thin: parse, call a service or selector, render.
``fazhi.registry.urls`` joins their URLs.
"""
