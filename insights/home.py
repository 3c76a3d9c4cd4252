"""What each role's home page lists: reads only, each list in a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import User
from collaboration.models import Notification, NotificationKind, Task
from collaboration.selectors import my_tasks
from insights.kpi_runs import kpi_run_latest
from insights.models import KpiRun, PortfolioDimension, PortfolioSnapshot, ProjectSnapshot
from monitoring.models import ReviewMeeting
from projects.access import projects_visible_to
from projects.models import Project, open_project

MY_TASKS = 10
MY_REVIEWS = 5
MY_MENTIONS = 5
TEAM_OVERDUE_TASKS = 10
MY_PROJECT_REVIEWS = 10
AWAITING_APPROVAL = 20


@dataclass
class MemberHome:
    tasks: list[Task]
    reviews: list[ReviewMeeting]
    mentions: list[Notification]

    @property
    def empty(self) -> bool:
        """Nothing of mine yet: the home page says what will come."""
        return not (self.tasks or self.reviews or self.mentions)


@dataclass
class ManagerHome:
    projects: list[Project]
    reviews: list[ReviewMeeting]
    overdue_tasks: list[Task]
    portfolio: PortfolioSnapshot | None


@dataclass
class DirectorHome:
    latest_run: KpiRun | None
    awaiting_approval: list[Project]


def member_home(user: User, *, now: datetime.datetime | None = None) -> MemberHome:
    """My open tasks (overdue first), my next reviews, my latest mentions."""
    now = now or timezone.now()
    visible = projects_visible_to(user)
    tasks = my_tasks(user).open()[:MY_TASKS]
    reviews = (
        ReviewMeeting.objects.upcoming(now)
        .filter(attendees=user, project__in=visible)
        .select_related("project")
        .order_by("scheduled_for", "pk")[:MY_REVIEWS]
    )
    mentions = (
        Notification.objects.filter(
            recipient=user, kind=NotificationKind.MENTIONED, project__in=visible
        )
        .select_related("project", "task", "actor")
        .order_by("-created_at", "-pk")[:MY_MENTIONS]
    )
    return MemberHome(tasks=list(tasks), reviews=list(reviews), mentions=list(mentions))


def manager_home(user: User, *, now: datetime.datetime | None = None) -> ManagerHome:
    """My open projects with today's health, their pending reviews, my teams' overdue tasks."""
    today = timezone.localdate(now or timezone.now())
    todays = ProjectSnapshot.objects.filter(project=OuterRef("pk"), day=today)
    projects = (
        Project.objects.open()
        .filter(owner=user)
        .annotate(
            snapshot_health=Subquery(todays.values("health")[:1]),
            snapshot_stage=Subquery(todays.values("stage")[:1]),
        )
        .order_by("name", "pk")
    )
    reviews = (
        ReviewMeeting.objects.pending()
        .filter(open_project("project"), project__owner=user)
        .select_related("project")
        .order_by("scheduled_for", "pk")[:MY_PROJECT_REVIEWS]
    )
    overdue_tasks = (
        Task.objects.overdue(today)
        .filter(project__owner=user)
        .select_related("project", "assignee")
        .order_by("due_date", "pk")[:TEAM_OVERDUE_TASKS]
    )
    portfolio = (
        PortfolioSnapshot.objects.filter(dimension=PortfolioDimension.OWNER, key=str(user.pk))
        .order_by("-day")
        .first()
    )
    return ManagerHome(
        projects=list(projects),
        reviews=list(reviews),
        overdue_tasks=list(overdue_tasks),
        portfolio=portfolio,
    )


def director_home(user: User) -> DirectorHome:
    """The projects waiting for a director's approval (oldest request first), the Recompute
    panel's latest run."""
    waiting = (
        projects_visible_to(user)
        .awaiting_approval()
        .select_related("owner", "approval_requested_by")
        .order_by("approval_requested_at", "pk")[:AWAITING_APPROVAL]
    )
    return DirectorHome(latest_run=kpi_run_latest(), awaiting_approval=list(waiting))
