from fazhi.matters.views import figures, matters, oversight, proactive

app_name = "matters"

urlpatterns = [
    *oversight.urlpatterns,
    *figures.urlpatterns,
    *proactive.urlpatterns,
    *matters.urlpatterns,
]
