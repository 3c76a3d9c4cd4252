from .calendar import CalendarToken
from .sharing import (
    COMMENT_EDIT_WINDOW_MINUTES,
    EMAIL_BY_DEFAULT,
    Activity,
    ActivityVerb,
    Comment,
    Interaction,
    InteractionKind,
    Notification,
    NotificationKind,
    NotificationSetting,
)
from .tasks import Task, TaskPriority, TaskQuerySet, TaskStatus, overdue_task

__all__ = [
    "CalendarToken",
    "COMMENT_EDIT_WINDOW_MINUTES",
    "EMAIL_BY_DEFAULT",
    "Activity",
    "ActivityVerb",
    "Comment",
    "Interaction",
    "InteractionKind",
    "Notification",
    "NotificationKind",
    "NotificationSetting",
    "Task",
    "TaskPriority",
    "TaskQuerySet",
    "TaskStatus",
    "overdue_task",
]
