"""The public portal (一公开): no login."""

from django.urls import URLPattern, path

from fazhi.portal import views

app_name = "portal"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
]
