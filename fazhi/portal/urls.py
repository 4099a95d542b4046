"""The public portal (一公开): no login. Mounted at /public/."""

from fazhi.portal import views

app_name = "portal"

urlpatterns = views.urlpatterns
