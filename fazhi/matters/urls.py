from fazhi.matters.views import matters, oversight

app_name = "matters"

urlpatterns = [*oversight.urlpatterns, *matters.urlpatterns]
