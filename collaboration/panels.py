"""What collaboration adds to the pages of the apps below it, registered in
CollaborationConfig.ready: the interaction log on the customer page; the tasks, the comment
thread and a request sent back on the project page, and its team section's saving."""

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Window
from django.http import HttpRequest

from accounts.models import User
from customers.models import Customer
from projects.forms import MembershipForm
from projects.models import ProjectMembership
from projects.pages import TASKS_SHOWN, ProjectPage
from projects.views.sections import Section

from .access import (
    can_change_interaction,
    can_see_interactions,
    interactions_visible_to,
    updatable_task_ids,
)
from .models import ActivityVerb, TaskStatus
from .selectors import comments_of
from .services import membership_add, membership_remove
from .views.comments import comment_form_context
from .views.interactions import interaction_form


# --- the customer page ---------------------------------------------------------------------------
def customer_interactions_panel(request: HttpRequest, customer: Customer) -> dict:
    return {
        "interactions": _interaction_log(request, customer),
        "interaction_form": interaction_form(request, customer),
    }


def _interaction_log(request: HttpRequest, customer: Customer) -> list | None:
    """The shared log of calls, meetings, e-mails and visits; None for who may not see it."""
    if not can_see_interactions(request.user, customer):
        return None
    visible = interactions_visible_to(request.user, customer)
    log = list(visible.select_related("user", "contact", "project")[:100])
    for item in log:
        item.changeable = can_change_interaction(request.user, item)
    return log


# --- the project page ----------------------------------------------------------------------------
def project_tasks_panel(page: ProjectPage) -> dict:
    """The tasks to act on, open and soonest due first; the task list has all."""
    tasks = list(
        page.project.tasks.select_related("assignee", "department")
        .annotate(
            finished=ExpressionWrapper(Q(status=TaskStatus.DONE), BooleanField()),
            total=Window(Count("id")),  # counted before the LIMIT, in the same query
        )
        .order_by("finished", F("due_date").asc(nulls_last=True), "id")[:TASKS_SHOWN]
    )
    return {
        "tasks": tasks,
        "tasks_total": tasks[0].total if tasks else 0,
        "updatable_tasks": updatable_task_ids(page.request.user, page.project, tasks),
    }


def project_comments_panel(page: ProjectPage) -> dict:
    return {
        **comment_form_context(page.request, page.project),
        "comments": list(comments_of(page.project)),
    }


def project_sent_back_panel(page: ProjectPage) -> dict:
    """A request sent back in this stage, and nothing asked since: the owner reads why here."""
    project = page.project
    sent_back = None
    if not project.awaiting_approval:
        sent_back = (
            project.activities.filter(
                verb=ActivityVerb.APPROVAL_SENT_BACK, created_at__gte=project.stage_entered_at
            )
            .select_related("actor")
            .first()
        )
    return {"sent_back": sent_back}


# The team section's form on the project page posts to projects' section views, which add and
# remove members through the team's services (rules, feed, notifications).
def _member_add(*, record: ProjectMembership, actor: User) -> ProjectMembership:
    return membership_add(membership=record, actor=actor)


def _member_remove(*, record: ProjectMembership, actor: User) -> ProjectMembership:
    return membership_remove(membership=record, actor=actor)


TEAM_SECTION = Section(
    ProjectMembership, MembershipForm, needs_project=True, add=_member_add, remove=_member_remove
)
