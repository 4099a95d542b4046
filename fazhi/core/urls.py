from django.contrib.auth import views as auth_views
from django.urls import path

from fazhi.core.views import (
    audit,
    auth,
    deadlines,
    jobs,
    numbering,
    officers,
    organisations,
    rules,
    site,
    users,
)

app_name = "core"

urlpatterns = [
    path("", deadlines.workbench, name="workbench"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="core/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth.password_change, name="password_change"),
    *deadlines.urlpatterns,
    *organisations.urlpatterns,
    *users.urlpatterns,
    *officers.urlpatterns,
    *numbering.urlpatterns,
    *audit.urlpatterns,
    *jobs.urlpatterns,
    *site.urlpatterns,
    *rules.urlpatterns,
]
