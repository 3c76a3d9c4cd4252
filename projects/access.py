"""Who may see and change a project: the only way pages, API, exports and feeds find projects.

Directors read everything; a project's owner edits it; members and observers of its team read
it; nobody else sees it (a 404, never a hint that it exists). A closed project is read-only
except for directors.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from accounts.people import team_eligible_people
from accounts.roles import Role

from .models import Project, TransitionKind


def projects_visible_to(
    user: User | AnonymousUser, queryset: QuerySet[Project] | None = None
) -> QuerySet[Project]:
    """`queryset` (all projects by default) narrowed to what `user` may see
    (`ProjectQuerySet.visible_to`)."""
    queryset = Project.objects.all() if queryset is None else queryset
    return queryset.visible_to(user)


def can_edit_project(user: User, project: Project) -> bool:
    if user.is_director:
        return True
    return project.owner_id == user.pk and project.is_open


def can_transition(user: User, project: Project, kind: TransitionKind) -> bool:
    """Owner or director; reopening a closed project and approving are for directors only."""
    if kind in (TransitionKind.REOPEN, TransitionKind.APPROVAL):
        return user.is_director
    return user.is_director or project.owner_id == user.pk


def can_create_project(user: User) -> bool:
    return user.is_authenticated and (user.is_director or user.is_sales_manager)


def can_choose_owner(user: User) -> bool:
    """Only directors choose or change a project's owner; a sales manager owns what they open."""
    return user.is_authenticated and user.is_director


def get_project_for_user(
    user: User, pk: int, *, write: bool = False, queryset: QuerySet[Project] | None = None
) -> Project:
    """The project, if `user` may see it (else 404) and, with write=True, change it (else 403)."""
    try:
        project = projects_visible_to(user, queryset).get(pk=pk)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write and not can_edit_project(user, project):
        raise PermissionDenied
    return project


def possible_owners() -> QuerySet[User]:
    """Who may own a project: the team-eligible sales managers and directors."""
    owners = User.objects.filter(groups__name__in=[Role.SALES_MANAGER, Role.DIRECTOR])
    return team_eligible_people(owners).distinct()
