"""Collaboration's part of the gates: the exit criteria that read tasks.

Registered with projects' gate registry from `CollaborationConfig.ready`; the positions place
them in each stage's checklist between projects' own criteria.
"""

from django.utils.translation import gettext_lazy

from projects.gates import Criterion, GateFacts
from projects.models import Stage

from .models import Task, TaskStatus


def _has_task_from_active_strategy(facts: GateFacts) -> bool:
    return Task.objects.filter(strategy_id__in=facts.active_strategy_ids).exists()


def _has_started_task(facts: GateFacts) -> bool:
    return facts.project.tasks.filter(status__in=[TaskStatus.IN_PROGRESS, TaskStatus.DONE]).exists()


GATE_CRITERIA: dict[Stage, list[Criterion]] = {
    Stage.STRATEGY: [
        Criterion(
            "action_as_task",
            gettext_lazy("A strategy action turned into a task"),
            gettext_lazy("Turn at least one action of an active strategy into a task."),
            lambda f: f.memo("has_task_from_active_strategy", _has_task_from_active_strategy),
            position=20,
        ),
    ],
    Stage.EXECUTION: [
        Criterion(
            "task_started",
            gettext_lazy("At least one task started"),
            gettext_lazy("Start a task (status In progress or Done)."),
            lambda f: f.memo("has_started_task", _has_started_task),
            position=10,
        ),
    ],
}
