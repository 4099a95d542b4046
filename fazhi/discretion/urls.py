from fazhi.discretion.views import benchmarks, imports

app_name = "discretion"

urlpatterns = [*benchmarks.urlpatterns, *imports.urlpatterns]
