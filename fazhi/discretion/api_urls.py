from fazhi.discretion.api import benchmarks, imports

urlpatterns = [*benchmarks.urlpatterns, *imports.urlpatterns]
