from fazhi.credit.api import credit

urlpatterns = [*credit.urlpatterns]
