"""Filters of the task list, My tasks and the task API (one definition for all three)."""

import datetime

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, User
from accounts.people import team_eligible_people
from core.filters import YesNoFilter
from customers.models import Industry, Region
from projects.models import OPEN_STAGE_CHOICES, Project

from .models import Task, TaskStatus, overdue_task


class TaskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=TaskStatus.choices)
    assignee = django_filters.ModelChoiceFilter(label=_("Assignee"), queryset=User.objects.none())
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.filter(is_active=True)
    )
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=OPEN_STAGE_CHOICES)
    overdue = YesNoFilter(label=_("Overdue"), method="filter_overdue")
    due_this_week = YesNoFilter(label=_("Due this week"), method="filter_due_this_week")

    class Meta:
        model = Task
        fields = ["q", "status", "assignee", "department", "stage", "overdue", "due_this_week"]

    def __init__(self, *args, project: Project | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only people on the project (or, across projects, nobody else's names to pick from).
        people = team_eligible_people()
        if project is not None:
            people = people.filter(pk__in=project.memberships.values("user"))
        self.filters["assignee"].queryset = people

    def filter_q(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_overdue(self, queryset: QuerySet[Task], name: str, value: bool | None):
        if value is None:
            return queryset
        overdue = overdue_task()
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_due_this_week(self, queryset: QuerySet[Task], name: str, value: bool | None):
        if not value:
            return queryset
        today = timezone.localdate()
        monday = today - datetime.timedelta(days=today.weekday())
        return queryset.filter(due_date__range=(monday, monday + datetime.timedelta(days=6)))


class PortfolioTaskFilter(TaskFilter):
    """The tasks across the open projects: also by the project's owner, the owner's
    department, the customer's industry and region — the director's dashboard filters."""

    project_owner = django_filters.ModelChoiceFilter(
        label=_("Project owner"), field_name="project__owner", queryset=User.objects.none()
    )
    project_department = django_filters.ModelChoiceFilter(
        label=_("Project owner's department"),
        field_name="project__owner__department",
        to_field_name="code",
        queryset=Department.objects.all(),
    )
    industry = django_filters.ChoiceFilter(
        label=_("Industry"), field_name="project__customer__industry", choices=Industry.choices
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"), field_name="project__customer__region", choices=Region.choices
    )

    class Meta(TaskFilter.Meta):
        fields = [
            *TaskFilter.Meta.fields,
            "project_owner",
            "project_department",
            "industry",
            "region",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Names to pick from are the people of the tasks listed, never anyone else's.
        tasks = self.queryset
        people = team_eligible_people()
        self.filters["assignee"].queryset = people.filter(pk__in=tasks.values("assignee"))
        owners = people.filter(pk__in=tasks.values("project__owner"))
        self.filters["project_owner"].queryset = owners
