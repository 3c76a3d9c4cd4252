from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from insights.views.home import home

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger's init script as a file of its own: no inline script, so
    # the page runs under the site's Content-Security-Policy.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="core/api_docs.html"
        ),
        name="api-docs",
    ),
    path("api/v1/", include("salescycle.api_urls")),
    path("", include("customers.urls")),
    path("", include("projects.urls")),
    path("", include("monitoring.urls")),
    path("", include("insights.urls")),
    path("", include("dataio.urls")),
    path("", home, name="home"),
    path("", include("collaboration.urls")),
    path("", include("accounts.urls")),
    path("", include("core.urls")),
]

# Under /api/ Django's own errors answer JSON like the API's views; elsewhere, our pages.
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
