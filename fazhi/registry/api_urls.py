from fazhi.registry.api import urlpatterns as urlpatterns
