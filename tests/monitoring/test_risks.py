"""The risk register's rules: the level table, who may write, and alerts on serious risks."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from collaboration.models import Notification, NotificationKind
from monitoring.models import Risk, RiskLevel, risk_level
from monitoring.risks import can_update_risk, risk_matrix, risk_save, risks_visible_to
from projects.models import Stage, TeamRole
from tests.factories import ProjectFactory, ProjectMembershipFactory, RiskFactory, UserFactory

pytestmark = pytest.mark.django_db

# The documented table (README "Risks"): score = probability × impact.
LEVELS = {
    RiskLevel.LOW: {1, 2, 3, 4},
    RiskLevel.MEDIUM: {5, 6, 8, 9},
    RiskLevel.HIGH: {10, 12, 15, 16},
    RiskLevel.CRITICAL: {20, 25},
}
PAIRS = [(p, i) for p in range(1, 6) for i in range(1, 6)]


def expected_level(p: int, i: int) -> RiskLevel:
    return next(level for level, scores in LEVELS.items() if p * i in scores)


@pytest.mark.parametrize(("probability", "impact"), PAIRS)
def test_the_level_table(probability, impact):
    assert risk_level(probability, impact) == expected_level(probability, impact)


def test_the_database_derives_the_same_score_and_level(manager):
    project = ProjectFactory(owner=manager)
    Risk.objects.bulk_create(
        [
            Risk(
                project=project,
                title=f"{p}x{i}",
                category="other",
                probability=p,
                impact=i,
                owner=manager,
            )
            for p, i in PAIRS
        ]
    )
    for risk in Risk.objects.all():
        assert risk.score == risk.probability * risk.impact
        assert risk.level == expected_level(risk.probability, risk.impact)
    assert Risk.objects.filter(level=RiskLevel.CRITICAL).count() == 3  # 4×5, 5×4, 5×5


@pytest.mark.parametrize(("field", "value"), [("probability", 0), ("impact", 6)])
def test_the_database_refuses_values_outside_one_to_five(manager, field, value):
    risk = RiskFactory(project=ProjectFactory(owner=manager))
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=risk.pk).update(**{field: value})


@pytest.fixture
def project(manager, member):
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    ProjectMembershipFactory(project=project, user=manager, role=TeamRole.OWNER)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.MEMBER)
    return project


def new_risk(project, owner, **fields):
    values = {
        "title": "Competitor undercuts",
        "category": "competition",
        "probability": 2,
        "impact": 2,
        **fields,
    }
    return Risk(project=project, owner=owner, **values)


def serious_alerts():
    return Notification.objects.filter(kind=NotificationKind.RISK_SERIOUS)


def test_saving_a_risk_derives_its_level_and_writes_the_feed(project, manager):
    risk = risk_save(risk=new_risk(project, manager, probability=3, impact=4), actor=manager)
    assert (risk.score, risk.level) == (12, RiskLevel.HIGH)
    assert risk.created_by == manager
    assert project.activities.filter(verb="risk_recorded").count() == 1


def test_a_new_serious_risk_alerts_its_owner_and_the_directors(project, manager, member, director):
    risk_save(risk=new_risk(project, member, probability=4, impact=5), actor=manager)

    recipients = set(serious_alerts().values_list("recipient__username", flat=True))
    assert recipients == {member.username, director.username}
    assert serious_alerts().first().data["level"] == RiskLevel.CRITICAL


def test_a_risk_rising_to_high_alerts_once(project, manager, member, director):
    risk = risk_save(risk=new_risk(project, member, probability=2, impact=3), actor=manager)
    assert not serious_alerts().exists()

    risk.probability = 4
    risk_save(risk=risk, actor=manager)  # 4 × 3 = 12: high
    assert serious_alerts().count() == 2

    risk.mitigation = "Lock the price in the framework contract."
    risk_save(risk=risk, actor=manager)  # still high: nothing new
    assert serious_alerts().count() == 2

    risk.impact = 5
    risk_save(risk=risk, actor=manager)  # 4 × 5 = 20: critical is news again
    assert serious_alerts().count() == 4


def test_a_risk_falling_and_rising_again_alerts_again(project, manager, member):
    risk = risk_save(risk=new_risk(project, member, probability=5, impact=5), actor=manager)
    risk.probability, risk.impact = 1, 1
    risk_save(risk=risk, actor=manager)
    risk.probability, risk.impact = 5, 5
    risk_save(risk=risk, actor=manager)
    assert serious_alerts().filter(recipient=member).count() == 2


@pytest.mark.parametrize(
    ("field", "value"), [("probability", 0), ("impact", 6), ("probability", None)]
)
def test_values_outside_one_to_five_are_refused(project, manager, field, value):
    with pytest.raises(ValidationError) as caught:
        risk_save(risk=new_risk(project, manager, **{field: value}), actor=manager)
    assert field in caught.value.message_dict
    assert not Risk.objects.exists()


def test_the_owner_must_be_on_the_team(project, manager, outsider):
    with pytest.raises(ValidationError) as caught:
        risk_save(risk=new_risk(project, outsider), actor=manager)
    assert "owner" in caught.value.message_dict
    assert not Risk.objects.exists()


def test_a_member_cannot_add_a_risk(project, member):
    with pytest.raises(PermissionDenied):
        risk_save(risk=new_risk(project, member), actor=member)


def test_the_risk_owner_may_update_it_but_not_another(project, manager, member):
    mine = RiskFactory(project=project, owner=member)
    theirs = RiskFactory(project=project, owner=manager)

    mine.status = "mitigating"
    risk_save(risk=mine, actor=member)
    assert Risk.objects.get(pk=mine.pk).status == "mitigating"
    assert not can_update_risk(member, theirs)
    with pytest.raises(PermissionDenied):
        theirs.status = "closed"
        risk_save(risk=theirs, actor=member)


def test_a_risk_owner_who_left_the_team_can_no_longer_update_it(project, manager, member):
    risk = RiskFactory(project=project, owner=member)
    project.memberships.filter(user=member).update(left_on="2026-01-01")
    assert not can_update_risk(member, risk)


def test_the_matrix_counts_each_cell_in_one_query(project, manager, django_assert_num_queries):
    RiskFactory.create_batch(3, project=project, probability=5, impact=4)
    RiskFactory(project=project, probability=1, impact=1)

    with django_assert_num_queries(1):
        matrix = risk_matrix(Risk.objects.filter(project=project))

    top = matrix.rows[0]  # probability 5
    assert [cell.count for cell in top] == [0, 0, 0, 3, 0]
    assert top[3].level == RiskLevel.CRITICAL
    assert matrix.rows[4][0].count == 1 and matrix.rows[4][0].level == RiskLevel.LOW
    assert matrix.total == 4
    assert matrix.by_level == {"low": 1, "medium": 0, "high": 0, "critical": 3}


def test_risks_follow_project_visibility(project, manager, member, outsider, director):
    RiskFactory(project=project)
    RiskFactory(project=ProjectFactory(owner=UserFactory(username="other-mgr")))
    assert risks_visible_to(member).count() == 1
    assert risks_visible_to(outsider).count() == 0
    assert risks_visible_to(director).count() == 2
