"""Demo team work: each demo project's team, tasks, comments and customer interactions.

Everything is written through the services, as people would write it, so the activity feed
and the notifications are the real ones. It happens in two steps because a closed project is
read-only and its history gets its dates only at the end (`demo.projects`):

1. `team_work_seed`, while the project is still open (a demo project that ends closed gets its
   team work just before it closes): the team, tasks with their statuses and dependencies,
   comments with @mentions, and interactions with the customer;
2. `team_work_timeline`, once the project's history has been spread over the past months:
   dates of tasks, memberships, comments, interactions, feed rows and notifications follow it.

Demo people's addresses are made up, so their e-mail notifications start switched off
(`demo_email_off`; each can switch them on in their settings): seeding sends nothing. The
notifications describe the demo's past: the older ones are marked read.
"""

from demo.teamwork.timeline import overdue_notices_seed, team_work_timeline
from demo.teamwork.work import demo_email_off, team_form, team_work_seed

__all__ = [
    "demo_email_off",
    "overdue_notices_seed",
    "team_form",
    "team_work_seed",
    "team_work_timeline",
]
