"""Collaboration's answer to events of the lifecycle: the feed and notifications."""

from django.dispatch import receiver

from projects.lifecycle import stage_changed
from projects.models import Project, StageTransition

from .models import ActivityVerb, NotificationKind
from .notifications import notify


@receiver(stage_changed, sender=Project, dispatch_uid="collaboration-stage-changed")
def stage_changed_to_feed(*, project: Project, transition: StageTransition, **kwargs) -> None:
    from .services import activity_record

    activity_record(
        project=project,
        actor=transition.actor,
        verb=ActivityVerb.STAGE_CHANGED,
        data={"from": transition.from_stage, "to": transition.to_stage, "kind": transition.kind},
    )
    team = [m.user for m in project.memberships.filter(left_on__isnull=True).select_related("user")]
    notify(
        recipients=[u for u in [project.owner, *team] if u.pk != transition.actor_id],
        kind=NotificationKind.STAGE_CHANGED,
        event_key=f"transition:{transition.pk}",
        project=project,
        actor=transition.actor,
        data={"from": transition.from_stage, "to": transition.to_stage},
    )
