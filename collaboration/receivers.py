"""Collaboration's answer to events of the lifecycle: the feed and notifications.

Registered with the lifecycle's listeners in `CollaborationConfig.ready` (projects does not
import collaboration); called inside the transaction of the change.
"""

import datetime

from accounts.models import User
from projects import lifecycle
from projects.models import Project, StageTransition

from .models import ActivityVerb, NotificationKind
from .notifications import notify

NOTE_KEPT = 1000  # characters of a note carried in a notification


def stage_changed_to_feed(
    *,
    project: Project,
    transition: StageTransition,
    approval_requested_by: User | None = None,
    approval_note: str = "",
) -> None:
    from .services import activity_record

    activity_record(
        project=project,
        actor=transition.actor,
        verb=ActivityVerb.STAGE_CHANGED,
        data={"from": transition.from_stage, "to": transition.to_stage, "kind": transition.kind},
    )
    told_of_approval = set()
    if approval_requested_by is not None and approval_requested_by.pk != transition.actor_id:
        notify(
            recipients=[approval_requested_by],
            kind=NotificationKind.APPROVAL_GRANTED,
            event_key=f"transition:{transition.pk}:approved",
            project=project,
            actor=transition.actor,
            data={"to": transition.to_stage, "note": approval_note[:NOTE_KEPT]},
        )
        told_of_approval.add(approval_requested_by.pk)
    team = [m.user for m in project.memberships.active().select_related("user")]
    notify(
        recipients=[
            u
            for u in [project.owner, *team]
            if u.pk != transition.actor_id and u.pk not in told_of_approval
        ],
        kind=NotificationKind.STAGE_CHANGED,
        event_key=f"transition:{transition.pk}",
        project=project,
        actor=transition.actor,
        data={"from": transition.from_stage, "to": transition.to_stage},
    )


def _request_key(project: Project, requested_at: datetime.datetime) -> str:
    # One request is one event: the moment it was made names it.
    return f"approval:{project.pk}:{requested_at:%Y%m%d%H%M%S%f}"


def approval_requested_to_directors(*, project: Project, actor: User) -> None:
    from .services import activity_record

    activity_record(
        project=project,
        actor=actor,
        verb=ActivityVerb.APPROVAL_REQUESTED,
        data={"to": project.next_stage.value, "note": project.approval_note[:NOTE_KEPT]},
    )
    notify(
        recipients=[director for director in User.objects.directors() if director.pk != actor.pk],
        kind=NotificationKind.APPROVAL_REQUESTED,
        event_key=_request_key(project, project.approval_requested_at),
        project=project,
        actor=actor,
        data={"to": project.next_stage.value, "note": project.approval_note[:NOTE_KEPT]},
    )


def approval_sent_back_to_owner(
    *,
    project: Project,
    actor: User,
    requested_by: User | None,
    requested_at: datetime.datetime,
    note: str,
) -> None:
    from .services import activity_record

    # On the feed too: the owner (and the team) find the reason on the project, not only in
    # a notification that may have been read and forgotten.
    activity_record(
        project=project,
        actor=actor,
        verb=ActivityVerb.APPROVAL_SENT_BACK,
        subject_user=requested_by,
        data={"to": project.next_stage.value, "note": note[:NOTE_KEPT]},
    )
    if requested_by is None or requested_by.pk == actor.pk:
        return
    notify(
        recipients=[requested_by],
        kind=NotificationKind.APPROVAL_REJECTED,
        event_key=f"{_request_key(project, requested_at)}:sent-back",
        project=project,
        actor=actor,
        data={"to": project.next_stage.value, "note": note[:NOTE_KEPT]},
    )


def register() -> None:
    """Listen to the lifecycle's events (from `CollaborationConfig.ready`)."""
    lifecycle.stage_changed.register(stage_changed_to_feed)
    lifecycle.approval_requested.register(approval_requested_to_directors)
    lifecycle.approval_sent_back.register(approval_sent_back_to_owner)
