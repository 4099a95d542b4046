from fazhi.registry.api import entities, imports, licences

urlpatterns = [*entities.urlpatterns, *licences.urlpatterns, *imports.urlpatterns]
