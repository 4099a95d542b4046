from fazhi.matters.api import matters

urlpatterns = [*matters.urlpatterns]
