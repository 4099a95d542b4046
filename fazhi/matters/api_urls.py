from fazhi.matters.api import matters, oversight

urlpatterns = [*oversight.urlpatterns, *matters.urlpatterns]
