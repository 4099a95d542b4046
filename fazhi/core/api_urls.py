from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from fazhi.core.api import audit, deadlines, orgadmin

urlpatterns = [
    path("token/", obtain_auth_token, name="api-token"),
    *deadlines.urlpatterns,
    *orgadmin.urlpatterns,
    *audit.urlpatterns,
]
