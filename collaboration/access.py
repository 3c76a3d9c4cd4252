"""Who may do what in a project's team work. Seeing a project is `projects.access`; this adds
the finer rules for tasks, the team, comments and the customer's interaction log.

Members update status, progress and comments of tasks assigned to them and comment anywhere
in their projects; the owner manages the team and every task; directors may do everything;
observers read. A closed project is read-only except for directors.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from customers.models import Customer
from projects.access import can_edit_project, projects_visible_to
from projects.models import Project, ProjectMembership, TeamRole

from .models import Comment, Interaction, Task


def active_members(project: Project) -> QuerySet[ProjectMembership]:
    return project.memberships.active()


def member_role(user: User, project: Project) -> str | None:
    """The user's role on the project's team, or None."""
    return (
        active_members(project).filter(user=user).values_list("role", flat=True).first()
        if user.is_authenticated
        else None
    )


def can_manage_team(user: User, project: Project) -> bool:
    return can_edit_project(user, project)


def can_manage_tasks(user: User, project: Project) -> bool:
    return can_edit_project(user, project)


def assignee_may_update(user: User, project: Project) -> bool:
    """Whether `user`, as assignee, may update their tasks on `project`: while it is open and
    they are on the team as more than an observer (the assignment outlives leaving the team)."""
    return project.is_open and member_role(user, project) not in (
        None,
        TeamRole.OBSERVER,
    )


def can_update_task(user: User, task: Task) -> bool:
    """Status, progress and blocked reason: the owner, a director, or the assignee."""
    if can_manage_tasks(user, task.project):
        return True
    return task.assignee_id == user.pk and assignee_may_update(user, task.project)


def updatable_task_ids(user: User, project: Project, tasks: list[Task]) -> set[int]:
    """Which of `tasks` (all of `project`) `user` may update, in at most one query."""
    if can_manage_tasks(user, project):
        return {task.pk for task in tasks}
    mine = [task.pk for task in tasks if task.assignee_id == user.pk]
    return set(mine) if mine and assignee_may_update(user, project) else set()


def can_comment(user: User, project: Project, role: str | None = None) -> bool:
    """Anyone on the team but observers, the owner and directors; `role` saves a query."""
    if can_edit_project(user, project):
        return True
    if not project.is_open:
        return False
    role = role if role is not None else member_role(user, project)
    return role is not None and role != TeamRole.OBSERVER


def can_change_comment(user: User, comment: Comment) -> bool:
    """Editing is for the author while they may comment (the window is checked by the
    service): not once the project is closed or they have left the team."""
    return (
        comment.author_id == user.pk
        and comment.deleted_at is None
        and can_comment(user, comment.project)
    )


def can_delete_comment(user: User, comment: Comment) -> bool:
    """The owner, a director, or the author while they may comment."""
    if comment.deleted_at is not None:
        return False
    if can_edit_project(user, comment.project):
        return True
    return comment.author_id == user.pk and can_comment(user, comment.project)


def tasks_visible_to(user: User, queryset: QuerySet[Task] | None = None) -> QuerySet[Task]:
    queryset = Task.objects.all() if queryset is None else queryset
    return queryset.filter(project__in=projects_visible_to(user))


def customer_projects_visible_to(user: User, customer: Customer) -> QuerySet[Project]:
    return projects_visible_to(user, customer.projects.all())


def can_see_interactions(user: User, customer: Customer) -> bool:
    """The customer's interaction log is for directors and anyone who may see one of the
    customer's projects (its owner or team)."""
    return customer_projects_visible_to(user, customer).exists()


def interactions_visible_to(user: User, customer: Customer) -> QuerySet[Interaction]:
    """What of the customer's log `user` reads: the entries logged on a project they may see —
    not what was said on the customer's other deals (every entry is logged on a project)."""
    return Interaction.objects.filter(project__in=customer_projects_visible_to(user, customer))


def can_change_interaction(user: User, interaction: Interaction) -> bool:
    """Its author corrects a logged interaction; directors may too."""
    return user.is_director or interaction.user_id == user.pk


def projects_for_logging(user: User, customer: Customer) -> QuerySet[Project]:
    """The customer's projects on which `user` may log an interaction (not as an observer)."""
    projects = customer.projects.open()
    if user.is_director:
        return customer.projects.all()
    return projects.filter(
        Q(owner=user)
        | Exists(
            ProjectMembership.objects.active()
            .filter(project=OuterRef("pk"), user=user)
            .exclude(role=TeamRole.OBSERVER)
        )
    )
