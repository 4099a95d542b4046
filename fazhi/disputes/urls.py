from fazhi.disputes.views import disputes, insurance, screening

app_name = "disputes"

urlpatterns = [*screening.urlpatterns, *insurance.urlpatterns, *disputes.urlpatterns]
