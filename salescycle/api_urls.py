"""URLs of the REST API, version 1 (mounted at /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import api as api_auth
from collaboration import api as team_api
from collaboration import api_calendar
from customers import api as customer_api
from insights import api_dashboard, api_kpis, api_lessons
from monitoring import api as api_monitoring
from projects import api

app_name = "api"

router = SimpleRouter()
router.register("customers", customer_api.CustomerViewSet, basename="customer")
router.register("projects", api.ProjectViewSet, basename="project")
router.register("reviews", api_monitoring.ReviewViewSet, basename="review")
router.register("risks", api_monitoring.RiskViewSet, basename="risk")

# Records of a project's stages: (url segment, list view, detail view).
RECORDS = [
    ("goals", api.GoalListView, api.GoalDetailView),
    ("resources", api.ResourceListView, api.ResourceDetailView),
    ("strategies", api.StrategyListView, api.StrategyDetailView),
    ("lessons", api.LessonListView, api.LessonDetailView),
]

urlpatterns = [
    path("auth/token/", api_auth.TokenView.as_view(), name="token"),
    path("auth/tokens/", api_auth.ApiTokenListView.as_view(), name="token-list"),
    path(
        "auth/tokens/revoke-all/",
        api_auth.ApiTokenRevokeAllView.as_view(),
        name="token-revoke-all",
    ),
    path(
        "auth/tokens/<str:token_key>/",
        api_auth.ApiTokenDetailView.as_view(),
        name="token-detail",
    ),
    path(
        "customers/<int:customer_pk>/contacts/",
        customer_api.ContactListView.as_view(),
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
urlpatterns += [
    path(
        "projects/<int:project_pk>/strategies/<int:record_pk>/adopt/",
        api.StrategyAdoptView.as_view(),
        name="project-strategy-adopt",
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
# The team work of a project: (url segment, list view, detail view).
TEAM_WORK = [
    ("members", team_api.MembershipListView, team_api.MembershipDetailView),
    ("tasks", team_api.TaskListView, team_api.TaskDetailView),
    ("comments", team_api.CommentListView, team_api.CommentDetailView),
]
for segment, list_view, detail_view in TEAM_WORK:
    urlpatterns += [
        path(
            f"projects/<int:project_pk>/{segment}/",
            list_view.as_view(),
            name=f"project-{segment}",
        ),
        path(
            f"projects/<int:project_pk>/{segment}/<int:pk>/",
            detail_view.as_view(),
            name=f"project-{segment}-detail",
        ),
    ]
urlpatterns += [
    path("tasks/mine/", team_api.MyTasksView.as_view(), name="my-tasks"),
    path("notifications/", team_api.NotificationListView.as_view(), name="notification-list"),
    path(
        "notifications/mark-read/",
        team_api.NotificationMarkReadView.as_view(),
        name="notification-mark-read",
    ),
    path(
        "notifications/unread-count/",
        team_api.NotificationUnreadCountView.as_view(),
        name="notification-unread-count",
    ),
    path(
        "customers/<int:customer_pk>/interactions/",
        team_api.InteractionListView.as_view(),
        name="customer-interactions",
    ),
    path("calendar-token/", api_calendar.CalendarTokenView.as_view(), name="calendar-token"),
    path("lessons/", api_lessons.LessonSearchView.as_view(), name="lesson-search"),
    path("kpis/projects/", api_kpis.ProjectSnapshotListView.as_view(), name="kpi-projects"),
    path("kpis/portfolio/", api_kpis.PortfolioSnapshotListView.as_view(), name="kpi-portfolio"),
    path("dashboard/", api_dashboard.DashboardView.as_view(), name="dashboard"),
]
urlpatterns += router.urls
