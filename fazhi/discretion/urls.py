app_name = "discretion"

urlpatterns: list[object] = []
