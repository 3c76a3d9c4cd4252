"""URLs of the REST API, version 1 (mounted at /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

app_name = "api"

router = SimpleRouter()
router.register("customers", api.CustomerViewSet, basename="customer")
router.register("projects", api.ProjectViewSet, basename="project")

# Records of a project's stages: (url segment, list view, detail view).
RECORDS = [
    ("goals", api.GoalListView, api.GoalDetailView),
    ("resources", api.ResourceListView, api.ResourceDetailView),
    ("strategies", api.StrategyListView, api.StrategyDetailView),
    ("lessons", api.LessonListView, api.LessonDetailView),
]

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="token"),
    path(
        "customers/<int:customer_pk>/contacts/",
        api.ContactListView.as_view(),
        name="customer-contacts",
    ),
    path(
        "projects/<int:project_pk>/feasibility/",
        api.FeasibilityView.as_view(),
        name="project-feasibility",
    ),
    path(
        "projects/<int:project_pk>/closure-report/",
        api.ClosureReportView.as_view(),
        name="project-closure-report",
    ),
]
for segment, list_view, detail_view in RECORDS:
    urlpatterns += [
        path(
            f"projects/<int:project_pk>/{segment}/",
            list_view.as_view(),
            name=f"project-{segment}",
        ),
        path(
            f"projects/<int:project_pk>/{segment}/<int:record_pk>/",
            detail_view.as_view(),
            name=f"project-{segment}-detail",
        ),
    ]
urlpatterns += router.urls
