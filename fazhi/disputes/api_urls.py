from fazhi.disputes.api import disputes

urlpatterns = [*disputes.urlpatterns]
