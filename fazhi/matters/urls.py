from fazhi.matters.views import matters

app_name = "matters"

urlpatterns = [*matters.urlpatterns]
