from django.urls import path

from .views import reviews, risks

app_name = "monitoring"

urlpatterns = [
    # 监控评估: reviews
    path("projects/<int:pk>/reviews/", reviews.review_list_view, name="review_list"),
    path("projects/<int:pk>/reviews/new/", reviews.review_create_view, name="review_create"),
    path(
        "projects/<int:pk>/reviews/<int:review>/",
        reviews.review_detail_view,
        name="review_detail",
    ),
    path(
        "projects/<int:pk>/reviews/<int:review>/edit/",
        reviews.review_edit_view,
        name="review_edit",
    ),
    path(
        "projects/<int:pk>/reviews/<int:review>/prepare/",
        reviews.review_prepare_view,
        name="review_prepare",
    ),
    path(
        "projects/<int:pk>/reviews/<int:review>/actions/",
        reviews.review_action_add_view,
        name="review_action_add",
    ),
    path(
        "projects/<int:pk>/reviews/<int:review>/actions/tasks/",
        reviews.review_actions_to_tasks_view,
        name="review_actions_to_tasks",
    ),
    path(
        "projects/<int:pk>/reviews/<int:review>/hold/",
        reviews.review_hold_view,
        name="review_hold",
    ),
    path(
        "projects/<int:pk>/reviews/<int:review>/minutes/",
        reviews.review_minutes_view,
        name="review_minutes",
    ),
    path(
        "projects/<int:pk>/reviews/<int:review>/delete/",
        reviews.review_delete_view,
        name="review_delete",
    ),
    path("reviews/", reviews.portfolio_reviews_view, name="portfolio_reviews"),
    # 监控评估: risks
    path("projects/<int:pk>/risks/", risks.risk_list_view, name="risk_list"),
    path("projects/<int:pk>/risks/new/", risks.risk_form_view, name="risk_create"),
    path("projects/<int:pk>/risks/<int:risk>/edit/", risks.risk_form_view, name="risk_edit"),
    path(
        "projects/<int:pk>/risks/<int:risk>/delete/",
        risks.risk_delete_view,
        name="risk_delete",
    ),
    path("risks/", risks.portfolio_risks_view, name="portfolio_risks"),
]
