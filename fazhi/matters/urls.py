from fazhi.matters.views import figures, hotline, matters, oversight, proactive, proposals

app_name = "matters"

urlpatterns = [
    *proposals.urlpatterns,
    *hotline.urlpatterns,
    *oversight.urlpatterns,
    *figures.urlpatterns,
    *proactive.urlpatterns,
    *matters.urlpatterns,
]
