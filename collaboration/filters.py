"""Filters of the task list, My tasks and the task API (one definition for all three)."""

import datetime

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import User
from projects.models import Project, Stage

from .models import Department, Task, TaskStatus


class TaskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=TaskStatus.choices)
    assignee = django_filters.ModelChoiceFilter(label=_("Assignee"), queryset=User.objects.none())
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.filter(is_active=True)
    )
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Stage.choices)
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    due_this_week = django_filters.BooleanFilter(
        label=_("Due this week"), method="filter_due_this_week"
    )

    class Meta:
        model = Task
        fields = ["q", "status", "assignee", "department", "stage", "overdue", "due_this_week"]

    def __init__(self, *args, project: Project | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only people on the project (or, across projects, nobody else's names to pick from).
        if project is not None:
            people = project.memberships.values("user")
            self.filters["assignee"].queryset = User.objects.filter(pk__in=people)
        else:
            self.filters["assignee"].queryset = User.objects.filter(is_active=True)

    def filter_q(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_overdue(self, queryset: QuerySet[Task], name: str, value: bool | None):
        if value is None:
            return queryset
        overdue = Q(due_date__lt=timezone.localdate()) & ~Q(status=TaskStatus.DONE)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_due_this_week(self, queryset: QuerySet[Task], name: str, value: bool | None):
        if not value:
            return queryset
        today = timezone.localdate()
        monday = today - datetime.timedelta(days=today.weekday())
        return queryset.filter(due_date__range=(monday, monday + datetime.timedelta(days=6)))
