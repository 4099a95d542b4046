from fazhi.matters.api import figures, letters, matters, oversight, proactive

urlpatterns = [
    *oversight.urlpatterns,
    *letters.urlpatterns,
    *figures.urlpatterns,
    *proactive.urlpatterns,
    *matters.urlpatterns,
]
