"""What monitoring adds to the pages of the apps below it, registered in
MonitoringConfig.ready: on the project page its reviews, the choices of a review's decision
and, for who may edit, the form to schedule one; on the project list, whether a review is
overdue; on the Gantt chart, its reviews as milestones."""

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from projects.models import Project, open_project
from projects.pages import ProjectPage

from .forms import ReviewForm
from .models import ReviewDecision, ReviewMeeting


def project_reviews_panel(page: ProjectPage) -> dict:
    if page.editable:
        page.forms["reviews"] = ReviewForm(project=page.project, prefix="reviews")
    return {
        "reviews": list(page.project.reviews.all()),
        "decision_choices": ReviewDecision.choices,
    }


def review_overdue():
    """A row of the project list: the project is open and has a review past due."""
    # ReviewQuerySet.overdue() with its "project still open" read off the row itself: no join
    # back to the project inside the EXISTS, which made PostgreSQL hash every overdue review.
    past_due = ReviewMeeting.objects.past_due().filter(project=OuterRef("pk"))
    overdue = Q(Exists(past_due)) & open_project()
    return ExpressionWrapper(overdue, output_field=BooleanField())


def project_milestones(project: Project) -> list[ReviewMeeting]:
    """The review lane of the project's Gantt chart: its reviews, held or scheduled."""
    return list(project.reviews.all())
