"""The activity feed of the scale portfolio: the rows the services would have written for
its stage changes, reviews and risks, at the time of each."""

from collaboration.models import Activity, ActivityVerb
from demo.scale.bulk import insert
from monitoring.models import ReviewMeeting, Risk, risk_level
from projects.models import StageTransition


def activities_create(
    *,
    transitions: list[StageTransition],
    reviews: list[ReviewMeeting],
    risks: list[Risk],
) -> int:
    rows = [
        Activity(
            project_id=row.project_id,
            actor_id=row.actor_id,
            verb=ActivityVerb.STAGE_CHANGED,
            data={"from": row.from_stage, "to": row.to_stage, "kind": row.kind},
            created_at=row.created_at,
        )
        for row in transitions
    ]
    for review in reviews:
        if review.held_at:
            verb, data, at = (
                ActivityVerb.REVIEW_HELD,
                {"decision": review.decision, "review": review.pk},
                review.held_at,
            )
        else:
            verb, at = ActivityVerb.REVIEW_SCHEDULED, review.created_at
            data = {"scheduled_for": review.scheduled_for.isoformat(), "review": review.pk}
        rows.append(
            Activity(
                project_id=review.project_id,
                actor_id=review.created_by_id,
                verb=verb,
                data=data,
                created_at=at,
            )
        )
    rows += [
        Activity(
            project_id=risk.project_id,
            actor_id=risk.created_by_id,
            verb=ActivityVerb.RISK_RECORDED,
            data={
                "risk": risk.pk,
                "title": risk.title,
                "level": risk_level(risk.probability, risk.impact).value,
            },
            created_at=risk.created_at,
        )
        for risk in risks
    ]
    insert(Activity, rows)
    return len(rows)
