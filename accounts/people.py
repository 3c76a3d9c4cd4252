"""Who may be picked for project work: the one rule every people picker uses."""

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from accounts.roles import Role


def team_eligible_people(queryset: QuerySet[User] | None = None) -> QuerySet[User]:
    """`queryset` (everyone by default) narrowed to the people offered as owners, assignees,
    team members, attendees: active accounts, leaving out the site's administrator accounts
    (a superuser holding none of our roles, like `admin`)."""
    queryset = User.objects.all() if queryset is None else queryset
    has_role = Group.objects.filter(user=OuterRef("pk"), name__in=Role.values)
    return queryset.filter(Q(is_active=True) & (Q(is_superuser=False) | Exists(has_role)))
