from fazhi.enforcement.views import cases, leads
from fazhi.enforcement.views import documents as document_views
from fazhi.enforcement.views import review as review_views
from fazhi.enforcement.views import search as search_views
from fazhi.enforcement.views import spot as spot_views

app_name = "enforcement"

urlpatterns = [
    *search_views.urlpatterns,
    *leads.urlpatterns,
    *review_views.urlpatterns,
    *spot_views.urlpatterns,
    *cases.urlpatterns,
]
urlpatterns += document_views.urlpatterns
