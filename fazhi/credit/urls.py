from fazhi.credit.views import lists, points, records

app_name = "credit"

urlpatterns = [*records.urlpatterns, *points.urlpatterns, *lists.urlpatterns]
