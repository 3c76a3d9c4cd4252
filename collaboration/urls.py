from django.urls import path

from .views import activity, calendar, comments, gantt, interactions, notifications, tasks, team

app_name = "collaboration"

urlpatterns = [
    path(
        "projects/<int:pk>/strategies/<int:strategy>/tasks/",
        tasks.strategy_tasks_view,
        name="strategy_tasks",
    ),
    path("projects/<int:pk>/team/", team.team_view, name="team"),
    path(
        "projects/<int:pk>/team/<int:membership>/edit/",
        team.membership_edit_view,
        name="membership_edit",
    ),
    path(
        "projects/<int:pk>/team/<int:membership>/remove/",
        team.membership_remove_view,
        name="membership_remove",
    ),
    path("projects/<int:pk>/tasks/", tasks.task_list_view, name="task_list"),
    path("projects/<int:pk>/tasks/board/", tasks.task_board_view, name="task_board"),
    path("projects/<int:pk>/tasks/new/", tasks.task_form_view, name="task_create"),
    path("projects/<int:pk>/tasks/<int:task>/", tasks.task_detail_view, name="task_detail"),
    path("projects/<int:pk>/tasks/<int:task>/edit/", tasks.task_form_view, name="task_edit"),
    path("projects/<int:pk>/tasks/<int:task>/delete/", tasks.task_delete_view, name="task_delete"),
    path(
        "projects/<int:pk>/tasks/<int:task>/progress/",
        tasks.task_progress_view,
        name="task_progress",
    ),
    path("projects/<int:pk>/comments/", comments.comment_post_view, name="comment_post"),
    path(
        "projects/<int:pk>/comments/<int:comment>/edit/",
        comments.comment_edit_view,
        name="comment_edit",
    ),
    path(
        "projects/<int:pk>/comments/<int:comment>/delete/",
        comments.comment_delete_view,
        name="comment_delete",
    ),
    path("projects/<int:pk>/activity/", activity.project_activity_view, name="project_activity"),
    path("projects/<int:pk>/gantt/", gantt.gantt_view, name="project_gantt"),
    path("my/tasks/", tasks.my_tasks_view, name="my_tasks"),
    path("tasks/", tasks.portfolio_tasks_view, name="portfolio_tasks"),
    path("my/activity/", activity.my_activity_view, name="my_activity"),
    path(
        "customers/<int:pk>/interactions/",
        interactions.interaction_log_view,
        name="interaction_log",
    ),
    path(
        "customers/<int:pk>/interactions/<int:interaction>/edit/",
        interactions.interaction_edit_view,
        name="interaction_edit",
    ),
    path("calendar/", calendar.calendar_settings_view, name="calendar"),
    path("calendar/<str:token>.ics", calendar.personal_feed_view, name="calendar_feed"),
    path(
        "calendar/<str:token>/projects/<int:pk>.ics",
        calendar.project_feed_view,
        name="calendar_project_feed",
    ),
    path("notifications/", notifications.notification_list_view, name="notification_list"),
    path("notifications/bell/", notifications.notification_bell_view, name="notification_bell"),
    path(
        "notifications/read/",
        notifications.notifications_mark_read_view,
        name="notifications_mark_read",
    ),
    path(
        "notifications/settings/",
        notifications.notification_settings_view,
        name="notification_settings",
    ),
]
