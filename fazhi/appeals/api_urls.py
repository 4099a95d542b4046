from fazhi.appeals.api import appeals

urlpatterns = [*appeals.urlpatterns]
