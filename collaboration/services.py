"""Writes on a project's team work: members, tasks, comments, interactions.

Every function takes the acting user, checks the access rule, validates the input (raising
Django's ValidationError with field errors, which forms show next to the field and the API
returns as a 400), runs in one transaction, writes the activity row and leaves notifications
to `collaboration.notifications`, whose emails go out from Celery after the commit.
"""

import datetime
import re
from collections.abc import Iterable
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from accounts.models import User
from core.history import records_actor
from projects.models import (
    Project,
    ProjectMembership,
    Stage,
    Strategy,
    StrategyStatus,
    TeamRole,
    action_key,
)

from . import access
from .models import (
    COMMENT_EDIT_WINDOW_MINUTES,
    DUE_BEFORE_START,
    ESTIMATE_NEGATIVE,
    PROGRESS_OUT_OF_RANGE,
    Activity,
    ActivityVerb,
    Comment,
    Interaction,
    NotificationKind,
    Task,
    TaskStatus,
)
from .notifications import notify
from .selectors import mentionable_people


# --- activity ---------------------------------------------------------------------------------
def activity_record(
    *,
    project: Project,
    actor: User | None,
    verb: ActivityVerb,
    task: Task | None = None,
    subject_user: User | None = None,
    data: dict | None = None,
) -> Activity:
    """Add one line to the project's activity feed."""
    return Activity.objects.create(
        project=project,
        actor=actor,
        verb=verb,
        task=task,
        subject_user=subject_user,
        data=data or {},
    )


# --- team -------------------------------------------------------------------------------------
@records_actor
@transaction.atomic
def membership_add(*, membership: ProjectMembership, actor: User) -> ProjectMembership:
    """Put a person on the team (owner and directors); the owner row follows the project."""
    project = membership.project
    if not access.can_manage_team(actor, project):
        raise PermissionDenied
    errors = {}
    if membership.role == TeamRole.OWNER:
        errors["role"] = _("The owner is set on the project itself.")
    if access.active_members(project).filter(user=membership.user_id).exists():
        errors["user"] = _("This person is already on the team.")
    if errors:
        raise ValidationError(errors)
    membership.left_on = None
    membership.save()
    activity_record(
        project=project,
        actor=actor,
        verb=ActivityVerb.MEMBER_ADDED,
        subject_user=membership.user,
        data={"role": membership.role},
    )
    return membership


@records_actor
@transaction.atomic
def membership_update(
    *, membership: ProjectMembership, actor: User, fields: Iterable[str]
) -> ProjectMembership:
    """Change a member's role, department or responsibilities."""
    if not access.can_manage_team(actor, membership.project):
        raise PermissionDenied
    fields = [f for f in fields if f in ("role", "department", "responsibilities")]
    original = ProjectMembership.objects.get(pk=membership.pk)
    role_changed = "role" in fields and membership.role != original.role
    if role_changed and TeamRole.OWNER in (membership.role, original.role):
        raise ValidationError({"role": _("The owner is set on the project itself.")})
    if fields:
        membership.save(update_fields=fields)
    return membership


@records_actor
@transaction.atomic
def membership_remove(*, membership: ProjectMembership, actor: User) -> ProjectMembership:
    """Take a person off the team (their history stays: the row gets a leaving date)."""
    project = membership.project
    if not access.can_manage_team(actor, project):
        raise PermissionDenied
    if membership.role == TeamRole.OWNER:
        raise ValidationError({"role": _("The owner cannot leave the team.")})
    if membership.left_on is None:
        membership.left_on = timezone.localdate()
        membership.save(update_fields=["left_on"])
        activity_record(
            project=project,
            actor=actor,
            verb=ActivityVerb.MEMBER_REMOVED,
            subject_user=membership.user,
            data={"role": membership.role},
        )
    return membership


# --- tasks ------------------------------------------------------------------------------------
def _depends_on(project: Project) -> dict[int, set[int]]:
    """The project's dependency graph, task id → ids it depends on (one query)."""
    graph: dict[int, set[int]] = {}
    edges = Task.dependencies.through.objects.filter(from_task__project=project)
    for source, target in edges.values_list("from_task_id", "to_task_id"):
        graph.setdefault(source, set()).add(target)
    return graph


def dependency_creates_cycle(*, task: Task, dependencies: Iterable[Task]) -> bool:
    """Whether `task` depending on `dependencies` closes a loop (A needs B needs ... A)."""
    if task.pk is None:
        return False  # nothing depends on a task that does not exist yet
    graph = _depends_on(task.project)
    graph[task.pk] = {d.pk for d in dependencies}
    seen: set[int] = set()
    stack = list(graph[task.pk])
    while stack:
        current = stack.pop()
        if current == task.pk:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(graph.get(current, ()))
    return False


def _progress_check(progress: int | None) -> str | None:
    if progress is None or not 0 <= progress <= 100:
        return str(PROGRESS_OUT_OF_RANGE)
    return None


def quoted_titles(tasks: Iterable[Task]) -> str:
    """Task titles as a sentence names them: “A”, “B” (「A」、「B」 in Chinese)."""
    separator = pgettext("between quoted titles", ", ")
    return separator.join(_("“%(title)s”") % {"title": task.title} for task in tasks)


def moves_on(task: Task) -> bool:
    """Whether the task is under way or finished: in progress, done, or to do with progress."""
    return task.status in (TaskStatus.IN_PROGRESS, TaskStatus.DONE) or (
        task.status == TaskStatus.TODO and bool(task.progress)
    )


def _waiting_for_check(
    task: Task, *, before: Task | None, dependencies: list[Task] | None
) -> str | None:
    """The refusal when a task starts or finishes before every task it depends on is done.

    Checked when the task starts (a new task, or one not under way before), finishes, or gets
    new dependencies, so a task started before this rule existed can still be edited and its
    progress updated.
    """
    if not moves_on(task):
        return None
    stored = None
    if task.pk is not None and before is not None:
        stored = set(before.dependencies.values_list("pk", flat=True))
    moved = (
        before is None
        or not moves_on(before)
        or (task.status == TaskStatus.DONE and before.status != TaskStatus.DONE)
    )
    relinked = dependencies is not None and {d.pk for d in dependencies} != stored
    if not (moved or relinked):
        return None
    if dependencies is not None:
        waiting = [d for d in dependencies if d.status != TaskStatus.DONE]
    elif task.pk is not None:
        waiting = list(task.dependencies.open().order_by("pk"))
    else:
        waiting = []
    if not waiting:
        return None
    return ngettext(
        "This task depends on %(tasks)s, which is not done yet: finish it first.",
        "This task depends on %(tasks)s, which are not done yet: finish them first.",
        len(waiting),
    ) % {"tasks": quoted_titles(waiting)}


def _blocked_reason_check(task: Task) -> str | None:
    task.blocked_reason = task.blocked_reason.strip()
    if task.status == TaskStatus.BLOCKED and not task.blocked_reason:
        return _("Say why the task is blocked.")
    if len(task.blocked_reason) > 500:
        return _("Keep the reason under 500 characters.")
    return None


def task_check(
    *, task: Task, dependencies: Iterable[Task] | None, before: Task | None = None
) -> None:
    """The input rules of a task; raises ValidationError with every field error at once."""
    errors: dict[str, str] = {}
    project = task.project
    on_team = (
        access.active_members(project).filter(user=task.assignee_id).exclude(role=TeamRole.OBSERVER)
    )
    # The owner answers for the whole project and may always take a task.
    if task.assignee_id and task.assignee_id != project.owner_id and not on_team.exists():
        errors["assignee"] = _("The assignee must be a member of the project's team.")
    if task.start_date and task.due_date and task.due_date < task.start_date:
        errors["due_date"] = str(DUE_BEFORE_START)
    if progress_error := _progress_check(task.progress):
        errors["progress"] = progress_error
    if task.estimate_hours is not None and task.estimate_hours < 0:
        errors["estimate_hours"] = str(ESTIMATE_NEGATIVE)
    if dependencies is not None:
        dependencies = list(dependencies)
        if any(d.project_id != project.pk for d in dependencies):
            errors["dependencies"] = _("A task can only depend on tasks of the same project.")
        elif task.pk is not None and any(d.pk == task.pk for d in dependencies):
            errors["dependencies"] = _("A task cannot depend on itself.")
        elif dependency_creates_cycle(task=task, dependencies=dependencies):
            errors["dependencies"] = _(
                "These dependencies would form a cycle: a task would end up waiting for itself."
            )
    if blocked_error := _blocked_reason_check(task):
        errors["blocked_reason"] = blocked_error
    if "dependencies" not in errors and (
        waiting := _waiting_for_check(task, before=before, dependencies=dependencies)
    ):
        # Said on what moved: the status, the progress, or the dependencies of a started task.
        if before is not None and (before.status, before.progress) == (task.status, task.progress):
            errors["dependencies"] = waiting
        else:
            errors["status" if task.status != TaskStatus.TODO else "progress"] = waiting
    if errors:
        raise ValidationError(errors)


def _status_fields_follow(task: Task) -> None:
    if task.status == TaskStatus.DONE:
        task.progress = 100
        task.completed_at = task.completed_at or timezone.now()
    else:
        task.completed_at = None
    if task.status != TaskStatus.BLOCKED:
        task.blocked_reason = ""


# Edits worth a line in the feed (status and assignee have their own).
EDIT_TRACKED = ("title", "stage", "department_id", "priority", "start_date", "due_date")


def _task_events(*, task: Task, actor: User, before: Task | None) -> None:
    """Activity rows and notifications for what changed on a task."""
    project = task.project
    if before is None:
        activity_record(
            project=project,
            actor=actor,
            verb=ActivityVerb.TASK_CREATED,
            task=task,
            data={"title": task.title},
        )
    if before is not None:
        changed = [name for name in EDIT_TRACKED if getattr(before, name) != getattr(task, name)]
        if changed:
            activity_record(
                project=project,
                actor=actor,
                verb=ActivityVerb.TASK_UPDATED,
                task=task,
                data={"title": task.title, "fields": changed},
            )
    if task.assignee_id and (before is None or before.assignee_id != task.assignee_id):
        activity = activity_record(
            project=project,
            actor=actor,
            verb=ActivityVerb.TASK_ASSIGNED,
            task=task,
            subject_user=task.assignee,
            data={"title": task.title},
        )
        if task.assignee_id != actor.pk:
            notify(
                recipients=[cast(User, task.assignee)],
                kind=NotificationKind.TASK_ASSIGNED,
                event_key=f"activity:{activity.pk}",
                project=project,
                task=task,
                actor=actor,
            )
    if before is not None and before.status != task.status:
        activity = activity_record(
            project=project,
            actor=actor,
            verb=ActivityVerb.TASK_STATUS,
            task=task,
            data={"title": task.title, "from": before.status, "to": task.status},
        )
        if task.status == TaskStatus.BLOCKED:
            # "A task of yours": the person doing it and the owner answering for the project.
            notify(
                recipients=[u for u in (task.assignee, project.owner) if u and u.pk != actor.pk],
                kind=NotificationKind.TASK_BLOCKED,
                event_key=f"activity:{activity.pk}",
                project=project,
                task=task,
                actor=actor,
                data={"reason": task.blocked_reason},
            )


@records_actor
@transaction.atomic
def task_save(*, task: Task, actor: User, dependencies: Iterable[Task] | None = None) -> Task:
    """Create or update a task with all its fields (owner and directors)."""
    project = task.project
    if not access.can_manage_tasks(actor, project):
        raise PermissionDenied
    before = None
    if task.pk is not None:
        before = Task.objects.select_for_update().get(pk=task.pk)
        if before.project_id != project.pk:
            raise PermissionDenied  # a task never moves to another project
    if dependencies is not None:
        dependencies = list(dependencies)
    task_check(task=task, dependencies=dependencies, before=before)
    if task.pk is None:
        task.created_by = actor
    _status_fields_follow(task)
    task.save()
    if dependencies is not None:
        task.dependencies.set(dependencies)
    _task_events(task=task, actor=actor, before=before)
    return task


def _status_for_progress(status: str, progress: int) -> str:
    """Moving the progress alone moves the status with it: 100 % is done, started is doing."""
    if progress == 100:
        return TaskStatus.DONE
    if (status == TaskStatus.DONE and progress < 100) or (status == TaskStatus.TODO and progress):
        return TaskStatus.IN_PROGRESS
    return status


@records_actor
@transaction.atomic
def task_update_progress(
    *,
    task: Task,
    actor: User,
    status: str | None = None,
    progress: int | None = None,
    blocked_reason: str | None = None,
) -> Task:
    """Change status, progress or blocked reason: the assignee, the owner or a director."""
    if not access.can_update_task(actor, task):
        raise PermissionDenied
    # Lock the row: two clicks at once must not both write an activity for one change.
    before = Task.objects.select_for_update().get(pk=task.pk)
    errors = {}
    if status is not None:
        if status not in TaskStatus.values:
            errors["status"] = _("Unknown task status.")
        else:
            task.status = status
    if progress is not None:
        if progress_error := _progress_check(progress):
            errors["progress"] = progress_error
        task.progress = progress
        if status is None:
            task.status = _status_for_progress(before.status, progress)
    if blocked_reason is not None:
        task.blocked_reason = blocked_reason
    if status == TaskStatus.TODO and progress is None and before.status == TaskStatus.DONE:
        task.progress = 0  # reopened from scratch: "done" had set it to 100
    # Only what changes here is checked, not the whole task: the owner must be able to finish
    # the task of someone who has left the team without reassigning it first.
    if not errors:
        if blocked_error := _blocked_reason_check(task):
            errors["blocked_reason"] = blocked_error
        elif waiting := _waiting_for_check(task, before=before, dependencies=None):
            errors["status" if status is not None else "progress"] = waiting
    if errors:
        raise ValidationError(errors)
    _status_fields_follow(task)
    task.save(update_fields=["status", "progress", "blocked_reason", "completed_at", "updated_at"])
    _task_events(task=task, actor=actor, before=before)
    return task


@records_actor
@transaction.atomic
def task_delete(*, task: Task, actor: User) -> None:
    if not access.can_manage_tasks(actor, task.project):
        raise PermissionDenied
    task.delete()


def _strategy_task_assignee(project: Project, actor: User) -> User:
    # The one who clicks takes the tasks if they may (the owner, a member doing the work); a
    # director outside the team hands them to the owner, who answers for the project.
    if actor.pk == project.owner_id or access.member_role(actor, project) not in (
        None,
        TeamRole.OBSERVER,
    ):
        return actor
    return project.owner


@records_actor
@transaction.atomic
def strategy_actions_to_tasks(
    *, strategy: Strategy, actor: User, assignee: User | None = None
) -> list[Task]:
    """Turn each action of a strategy in force into a task, once per project.

    An action is its text as `action_key` normalises it: one that an earlier revision already
    turned into a task keeps that task, which now serves this revision; only new actions make
    new tasks, each through `task_save` (its rules, activity and assignment notice). Returns
    the tasks created.
    """
    project = strategy.project
    if not access.can_manage_tasks(actor, project):
        raise PermissionDenied
    # The project row lock queues a double click (or two people) behind the first, which then
    # finds the tasks made; the unique (project, strategy_action) constraint is the backstop.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    strategy = Strategy.objects.get(pk=strategy.pk)
    if strategy.status != StrategyStatus.ACTIVE:
        raise ValidationError(
            {"actions": _("Only the actions of a strategy in force become tasks: adopt it first.")}
        )
    actions: dict[str, str] = {}
    for action in strategy.action_list:
        actions.setdefault(action_key(action), action)
    made = project.tasks.filter(strategy_action__in=actions)
    for task in made.exclude(strategy=strategy):  # a few, saved one by one for the history
        task.strategy = strategy
        task.save(update_fields=["strategy", "updated_at"])
    have = set(made.values_list("strategy_action", flat=True))
    assignee = assignee or _strategy_task_assignee(project, actor)
    return [
        task_save(
            task=Task(
                project=project,
                strategy=strategy,
                strategy_action=key,
                title=action[:200],
                stage=Stage.EXECUTION,
                assignee=assignee,
                department=assignee.department,
            ),
            actor=actor,
        )
        for key, action in actions.items()
        if key not in have
    ]


# --- comments ---------------------------------------------------------------------------------
# "@" not glued to a preceding Latin name character, so e-mail addresses are not mentions but
# Chinese text around a mention ("请@li.na看一下") is fine. What follows the "@" runs on through
# any letters (Chinese too): which member it names is found by the longest username or name
# it starts with, since Chinese text may follow a name without a space.
MENTION = re.compile(r"(?<![A-Za-z0-9_.+-])@([\w.+-]+)")
LATIN_NAME = re.compile(r"[A-Za-z0-9_.+-]+")


def mentioned_usernames(body: str) -> list[str]:
    """The Latin names mentioned in `body`, each once whatever its case, as first written."""
    names: dict[str, str] = {}
    for token in MENTION.findall(body):
        latin = LATIN_NAME.match(token)
        if latin:
            name = latin.group().rstrip(".")
            names.setdefault(name.lower(), name)
    return list(names.values())


def _mentionable(project: Project) -> dict[str, User]:
    """Who may be mentioned on the project, by lower-case username and by the name people see
    when it has no space in it (王磊) — a username wins over someone else's name."""
    people = list(mentionable_people(project))
    names = {p.display_name.lower(): p for p in people if not re.search(r"\s", p.display_name)}
    return names | {p.username.lower(): p for p in people}


def _mentioned(token: str, people: dict[str, User], longest_first: list[str]) -> User | None:
    lower = token.lower()
    for name in longest_first:
        rest = lower[len(name) :]
        # "wanglei请看" names wanglei; "wangleix" does not (a Latin name goes on).
        if lower.startswith(name) and not LATIN_NAME.match(rest):
            return people[name]
    return None


def _mentions_check(*, project: Project, body: str) -> list[User]:
    tokens = [token.rstrip(".") for token in MENTION.findall(body)]
    if not tokens:
        return []
    people = _mentionable(project)
    longest_first = sorted(people, key=len, reverse=True)
    found: dict[int, User] = {}
    unknown: dict[str, str] = {}
    for token in tokens:
        person = _mentioned(token, people, longest_first)
        if person is not None:
            found.setdefault(person.pk, person)
        elif latin := LATIN_NAME.match(token):
            # A Latin name is meant as a username; Chinese after "@" that names nobody is
            # plain text ("@所有人").
            name = latin.group().rstrip(".")
            unknown.setdefault(name.lower(), name)
    if unknown:
        raise ValidationError(
            {
                "body": _("Only project members can be mentioned; not: %(names)s")
                % {"names": ", ".join(f"@{name}" for name in unknown.values())}
            }
        )
    return list(found.values())


def _comment_check(*, project: Project, body: str) -> tuple[str, list[User]]:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something before posting.")})
    if len(body) > 5000:
        raise ValidationError({"body": _("A comment can be at most 5000 characters.")})
    return body, _mentions_check(project=project, body=body)


def _notify_mentions(comment: Comment, mentioned: list[User], actor: User) -> None:
    notify(
        recipients=[u for u in mentioned if u.pk != actor.pk],
        kind=NotificationKind.MENTIONED,
        event_key=f"comment:{comment.pk}",
        project=comment.project,
        task=comment.task,
        actor=actor,
        data={"excerpt": comment.body[:200]},
    )


@transaction.atomic
def comment_post(*, project: Project, actor: User, body: str, task: Task | None = None) -> Comment:
    """Post a comment on a project or one of its tasks; mentioned members are notified."""
    if not access.can_comment(actor, project):
        raise PermissionDenied
    if task is not None and task.project_id != project.pk:
        raise PermissionDenied
    body, mentioned = _comment_check(project=project, body=body)
    comment = Comment.objects.create(project=project, task=task, author=actor, body=body)
    comment.mentions.set(mentioned)
    activity_record(
        project=project,
        actor=actor,
        verb=ActivityVerb.COMMENTED,
        task=task,
        data={"excerpt": body[:200], "comment": comment.pk},
    )
    _notify_mentions(comment, mentioned, actor)
    return comment


def comment_editable_until(comment: Comment) -> datetime.datetime:
    return comment.created_at + datetime.timedelta(minutes=COMMENT_EDIT_WINDOW_MINUTES)


@transaction.atomic
def comment_edit(*, comment: Comment, actor: User, body: str) -> Comment:
    """Correct one's own comment within the edit window; newly mentioned people are told."""
    if not access.can_change_comment(actor, comment):
        raise PermissionDenied
    if timezone.now() > comment_editable_until(comment):
        raise ValidationError(
            {
                "body": _("Comments can only be edited for %(minutes)d minutes after posting.")
                % {"minutes": COMMENT_EDIT_WINDOW_MINUTES}
            }
        )
    body, mentioned = _comment_check(project=comment.project, body=body)
    # A form may have set the new body on the instance already: compare with what is stored.
    if body == Comment.objects.values_list("body", flat=True).get(pk=comment.pk):
        return comment  # saved unchanged: not an edit
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    comment.mentions.set(mentioned)
    _notify_mentions(comment, mentioned, actor)  # once per person per comment (event key)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, actor: User) -> Comment:
    """Hide a comment (the author, the owner or a director); the row stays for the record."""
    if not access.can_delete_comment(actor, comment):
        raise PermissionDenied
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at"])
    return comment


# --- the customer's interaction log -----------------------------------------------------------
@records_actor
@transaction.atomic
def interaction_log(*, interaction: Interaction, actor: User) -> Interaction:
    """Log a call, meeting, e-mail or visit on one of the customer's projects."""
    project = interaction.project
    if not access.projects_for_logging(actor, project.customer).filter(pk=project.pk).exists():
        raise PermissionDenied
    interaction.customer = project.customer
    _interaction_check(interaction)
    interaction.user = actor
    interaction.save()
    activity_record(
        project=project,
        actor=actor,
        verb=ActivityVerb.INTERACTION,
        data={"kind": interaction.kind, "summary": interaction.summary[:200]},
    )
    return interaction


@records_actor
@transaction.atomic
def interaction_update(*, interaction: Interaction, actor: User) -> Interaction:
    """Correct a logged interaction: its author or a director, on a project they may log on."""
    if not access.can_change_interaction(actor, interaction):
        raise PermissionDenied
    project = interaction.project
    if not access.projects_for_logging(actor, project.customer).filter(pk=project.pk).exists():
        raise ValidationError({"project": _("You cannot log interactions on this project.")})
    interaction.customer = project.customer
    _interaction_check(interaction)
    interaction.save()
    return interaction


def _interaction_check(interaction: Interaction) -> None:
    errors = {}
    if interaction.occurred_on and interaction.occurred_on > timezone.localdate():
        errors["occurred_on"] = _("An interaction is logged once it has happened.")
    if not (interaction.summary or "").strip():
        errors["summary"] = _("Summarise what was discussed.")
    contact = interaction.contact if interaction.contact_id else None
    if contact and contact.customer_id != interaction.customer_id:
        errors["contact"] = _("The contact must belong to this customer.")
    if errors:
        raise ValidationError(errors)
