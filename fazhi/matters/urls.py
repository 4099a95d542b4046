from fazhi.matters.views import figures, matters, oversight

app_name = "matters"

urlpatterns = [*oversight.urlpatterns, *figures.urlpatterns, *matters.urlpatterns]
