from fazhi.matters.views import figures, matters, oversight, proactive, proposals

app_name = "matters"

urlpatterns = [
    *proposals.urlpatterns,
    *oversight.urlpatterns,
    *figures.urlpatterns,
    *proactive.urlpatterns,
    *matters.urlpatterns,
]
