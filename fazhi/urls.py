from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

handler404 = "fazhi.core.api_errors.not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/discretion/", include("fazhi.discretion.api_urls")),
    path("api/enforcement/", include("fazhi.enforcement.api_urls")),
    path("api/matters/", include("fazhi.matters.api_urls")),
    path("api/credit/", include("fazhi.credit.api_urls")),
    path("api/appeals/", include("fazhi.appeals.api_urls")),
    path("api/disputes/", include("fazhi.disputes.api_urls")),
    path("api/inspections/", include("fazhi.inspections.api_urls")),
    path("api/registry/", include("fazhi.registry.api_urls")),
    path("api/", include("fazhi.core.api_urls")),
    path("public/", include("fazhi.portal.urls")),
    path("discretion/", include("fazhi.discretion.urls")),
    path("enforcement/", include("fazhi.enforcement.urls")),
    path("matters/", include("fazhi.matters.urls")),
    path("credit/", include("fazhi.credit.urls")),
    path("appeals/", include("fazhi.appeals.urls")),
    path("disputes/", include("fazhi.disputes.urls")),
    path("inspections/", include("fazhi.inspections.urls")),
    path("registry/", include("fazhi.registry.urls")),
    path("", include("fazhi.core.urls")),
]
