from fazhi.enforcement.views import leads

app_name = "enforcement"

urlpatterns = [*leads.urlpatterns]
