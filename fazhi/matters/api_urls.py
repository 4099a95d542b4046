from fazhi.matters.api import figures, hotline, letters, matters, oversight, proactive, proposals

urlpatterns = [
    *proposals.urlpatterns,
    *hotline.urlpatterns,
    *oversight.urlpatterns,
    *letters.urlpatterns,
    *figures.urlpatterns,
    *proactive.urlpatterns,
    *matters.urlpatterns,
]
