from fazhi.matters.api import figures, letters, matters, oversight, proactive, proposals

urlpatterns = [
    *proposals.urlpatterns,
    *oversight.urlpatterns,
    *letters.urlpatterns,
    *figures.urlpatterns,
    *proactive.urlpatterns,
    *matters.urlpatterns,
]
