from fazhi.matters.views import hotline, matters

app_name = "matters"

urlpatterns = [*hotline.urlpatterns, *matters.urlpatterns]
