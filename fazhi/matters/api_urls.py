from fazhi.matters.api import matters, proposals

urlpatterns = [*proposals.urlpatterns, *matters.urlpatterns]
