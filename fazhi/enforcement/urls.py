from fazhi.enforcement.views import cases, leads

app_name = "enforcement"

urlpatterns = [*leads.urlpatterns, *cases.urlpatterns]
