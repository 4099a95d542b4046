from fazhi.appeals import views

app_name = "appeals"

urlpatterns = [*views.urlpatterns]
