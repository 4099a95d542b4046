from fazhi.registry.views import urlpatterns as urlpatterns

app_name = "registry"
