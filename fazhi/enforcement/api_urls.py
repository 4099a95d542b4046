from fazhi.enforcement.api import cases, leads
from fazhi.enforcement.api import documents as document_api
from fazhi.enforcement.api import execution as execution_api
from fazhi.enforcement.api import file_review as file_review_api
from fazhi.enforcement.api import spot as spot_api

urlpatterns = [
    *spot_api.urlpatterns,
    *file_review_api.urlpatterns,
    *leads.urlpatterns,
    *cases.urlpatterns,
]
urlpatterns += document_api.urlpatterns
urlpatterns += execution_api.urlpatterns
