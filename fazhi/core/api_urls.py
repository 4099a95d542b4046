from django.urls import path

from fazhi.core.api import (
    audit,
    deadlines,
    jobs,
    numbering,
    officers,
    organisations,
    site,
    users,
)
from fazhi.core.api.auth import obtain_auth_token

urlpatterns = [
    path("token/", obtain_auth_token, name="api-token"),
    *deadlines.urlpatterns,
    *organisations.urlpatterns,
    *users.urlpatterns,
    *officers.urlpatterns,
    *audit.urlpatterns,
    *numbering.urlpatterns,
    *jobs.urlpatterns,
    *site.urlpatterns,
]
