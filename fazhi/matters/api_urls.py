from fazhi.matters.api import letters, matters, oversight

urlpatterns = [*oversight.urlpatterns, *letters.urlpatterns, *matters.urlpatterns]
