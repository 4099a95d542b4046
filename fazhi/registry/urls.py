from fazhi.registry.views import entities, imports, licences

app_name = "registry"

urlpatterns = [*entities.urlpatterns, *licences.urlpatterns, *imports.urlpatterns]
