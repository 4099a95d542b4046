from fazhi.enforcement.views import cases, leads
from fazhi.enforcement.views import documents as document_views

app_name = "enforcement"

urlpatterns = [*leads.urlpatterns, *cases.urlpatterns]
urlpatterns += document_views.urlpatterns
