"""Pages: deadlines. Owned by one area; see docs/where-things-go.md."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
