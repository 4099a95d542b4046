from fazhi.disputes.api import attachments, disputes

urlpatterns = [*attachments.urlpatterns, *disputes.urlpatterns]
