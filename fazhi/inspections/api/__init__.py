"""Inspection API, one module per area; each exposes ``urlpatterns``."""
