from fazhi.matters.views import matters, proposals

app_name = "matters"

urlpatterns = [*proposals.urlpatterns, *matters.urlpatterns]
