from fazhi.enforcement.api import cases, leads

urlpatterns = [*leads.urlpatterns, *cases.urlpatterns]
