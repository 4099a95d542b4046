from fazhi.matters.api import figures, letters, matters, oversight

urlpatterns = [
    *oversight.urlpatterns,
    *letters.urlpatterns,
    *figures.urlpatterns,
    *matters.urlpatterns,
]
