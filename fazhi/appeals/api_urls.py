from fazhi.appeals import api

urlpatterns = [*api.urlpatterns]
