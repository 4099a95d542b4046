from fazhi.enforcement.api import leads

urlpatterns = [*leads.urlpatterns]
