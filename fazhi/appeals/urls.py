from fazhi.appeals.views import appeals

app_name = "appeals"

urlpatterns = [*appeals.urlpatterns]
