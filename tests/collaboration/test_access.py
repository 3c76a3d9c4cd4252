"""Who may do what in a project's team work (`collaboration.access`), as tables.

Each table gives, per person, the answer on an open project and on a closed one. The people:
a director, the owner, an account lead, the assignee of the task, another member (who also
wrote the comment), an observer, someone who left the team and an outsider.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from collaboration import access
from collaboration.models import Interaction, InteractionKind
from projects.models import Stage, TeamRole
from tests.factories import (
    CommentFactory,
    CustomerFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ON_THE_TEAM = [
    ("owner", TeamRole.OWNER),
    ("account lead", TeamRole.ACCOUNT_LEAD),
    ("assignee", TeamRole.MEMBER),
    ("member", TeamRole.MEMBER),
    ("observer", TeamRole.OBSERVER),
]


# --- fixtures and helpers -------------------------------------------------------------------
@pytest.fixture
def people(director, manager, member, outsider):
    return {
        "director": director,
        "owner": manager,
        "account lead": UserFactory(username="alan-lead"),
        "assignee": member,
        "member": UserFactory(username="cara-colleague"),
        "observer": UserFactory(username="olga-observer"),
        "former member": UserFactory(username="fred-former"),
        "outsider": outsider,
    }


def staffed(people, *, stage=Stage.EXECUTION, customer=None):
    """A project owned by the owner, with everyone but the director and the outsider on it."""
    extra = {"customer": customer} if customer else {}
    project = ProjectFactory(owner=people["owner"], stage=stage, **extra)
    for who, role in ON_THE_TEAM:
        ProjectMembershipFactory(project=project, user=people[who], role=role)
    ProjectMembershipFactory(
        project=project,
        user=people["former member"],
        role=TeamRole.MEMBER,
        left_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    return project


@pytest.fixture
def projects(people):
    return {"open": staffed(people), "closed": staffed(people, stage=Stage.CLOSED)}


def table(answers: dict[str, tuple[bool, bool]]) -> list:
    """(who, "open"/"closed", expected) cases from {who: (on open, on closed)}."""
    return [
        pytest.param(who, state, expected, id=f"{who}-{state}")
        for who, (on_open, on_closed) in answers.items()
        for state, expected in (("open", on_open), ("closed", on_closed))
    ]


# --- the team and the tasks -----------------------------------------------------------------
MANAGE = {
    "director": (True, True),
    "owner": (True, False),
    "account lead": (False, False),
    "assignee": (False, False),
    "member": (False, False),
    "observer": (False, False),
    "former member": (False, False),
    "outsider": (False, False),
}


@pytest.mark.parametrize("rule", [access.can_manage_team, access.can_manage_tasks])
@pytest.mark.parametrize(("who", "state", "expected"), table(MANAGE))
def test_who_manages_the_team_and_the_tasks(people, projects, rule, who, state, expected):
    assert rule(people[who], projects[state]) is expected


UPDATE_TASK = {
    "director": (True, True),
    "owner": (True, False),
    "account lead": (False, False),
    "assignee": (True, False),
    "member": (False, False),
    "observer": (False, False),
    "former member": (False, False),
    "outsider": (False, False),
}


@pytest.mark.parametrize(("who", "state", "expected"), table(UPDATE_TASK))
def test_who_updates_a_tasks_progress(people, projects, who, state, expected):
    task = TaskFactory(project=projects[state], assignee=people["assignee"])

    assert access.can_update_task(people[who], task) is expected


def test_an_assignee_who_left_the_team_no_longer_updates_the_task(people, projects):
    # Assigned while on the team; the assignment stays after leaving, the right does not.
    task = TaskFactory(project=projects["open"], assignee=people["former member"])

    assert access.can_update_task(people["former member"], task) is False
    assert access.can_update_task(people["owner"], task) is True


def test_an_assignee_made_observer_no_longer_updates_the_task(people, projects):
    project = projects["open"]
    task = TaskFactory(project=project, assignee=people["assignee"])
    project.memberships.filter(user=people["assignee"]).update(role=TeamRole.OBSERVER)

    assert access.can_update_task(people["assignee"], task) is False


# --- comments -------------------------------------------------------------------------------
COMMENT = {
    "director": (True, True),
    "owner": (True, False),
    "account lead": (True, False),
    "assignee": (True, False),
    "member": (True, False),
    "observer": (False, False),
    "former member": (False, False),
    "outsider": (False, False),
}


@pytest.mark.parametrize(("who", "state", "expected"), table(COMMENT))
def test_who_comments(people, projects, who, state, expected):
    assert access.can_comment(people[who], projects[state]) is expected


@pytest.mark.parametrize(("who", "state", "expected"), table(COMMENT))
def test_a_known_role_gives_the_same_answer(people, projects, who, state, expected):
    project = projects[state]
    role = access.member_role(people[who], project)

    assert access.can_comment(people[who], project, role=role) is expected


# The comment is written by "member".
DELETE_COMMENT = {
    "director": (True, True),
    "owner": (True, False),
    "member": (True, False),
    "account lead": (False, False),
    "assignee": (False, False),
    "observer": (False, False),
    "former member": (False, False),
    "outsider": (False, False),
}


@pytest.mark.parametrize(("who", "state", "expected"), table(DELETE_COMMENT))
def test_who_deletes_a_comment(people, projects, who, state, expected):
    comment = CommentFactory(project=projects[state], author=people["member"])

    assert access.can_delete_comment(people[who], comment) is expected


CHANGE_COMMENT = {
    "member": (True, False),
    "director": (False, False),
    "owner": (False, False),
    "account lead": (False, False),
    "assignee": (False, False),
    "observer": (False, False),
    "outsider": (False, False),
}


@pytest.mark.parametrize(("who", "state", "expected"), table(CHANGE_COMMENT))
def test_only_the_author_changes_a_comment(people, projects, who, state, expected):
    comment = CommentFactory(project=projects[state], author=people["member"])

    assert access.can_change_comment(people[who], comment) is expected


def test_an_author_who_left_the_team_no_longer_changes_the_comment(people, projects):
    comment = CommentFactory(project=projects["open"], author=people["former member"])

    assert access.can_change_comment(people["former member"], comment) is False
    assert access.can_delete_comment(people["former member"], comment) is False


@pytest.mark.parametrize("who", ["director", "owner", "member"])
def test_a_deleted_comment_cannot_be_deleted_or_changed_again(people, projects, who):
    comment = CommentFactory(
        project=projects["open"], author=people["member"], deleted_at=timezone.now()
    )

    assert access.can_delete_comment(people[who], comment) is False
    assert access.can_change_comment(people[who], comment) is False


# --- team roles and visible tasks -----------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "role"),
    [*ON_THE_TEAM, ("former member", None), ("outsider", None), ("director", None)],
)
def test_member_role(people, projects, who, role):
    assert access.member_role(people[who], projects["open"]) == role


def test_an_anonymous_visitor_has_no_role(projects):
    assert access.member_role(AnonymousUser(), projects["open"]) is None


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("director", {"ours", "theirs"}),
        ("owner", {"ours"}),
        ("observer", {"ours"}),
        ("former member", set()),
        ("outsider", set()),
    ],
)
def test_tasks_visible_to(people, projects, who, sees, django_assert_num_queries):
    TaskFactory(project=projects["open"], title="ours")
    TaskFactory(title="theirs")
    _ = people[who].role_names  # read once per request, as the views do before any list

    with django_assert_num_queries(1):
        titles = {t.title for t in access.tasks_visible_to(people[who])}

    assert titles == sees


# --- the customer's interaction log ---------------------------------------------------------
@pytest.fixture
def customer():
    return CustomerFactory(name="Harbour Logistics")


@pytest.fixture
def logged(people, customer):
    """Two projects of one customer; an entry is logged on the first, whose team is the people.

    On the second, only `sam-sibling` works; on a project of another customer, `rita-rival`.
    """
    first = staffed(people, customer=customer)
    second = ProjectFactory(customer=customer)
    ProjectMembershipFactory(project=second, user__username="sam-sibling", role=TeamRole.MEMBER)
    rival = ProjectFactory()
    ProjectMembershipFactory(project=rival, user__username="rita-rival", role=TeamRole.MEMBER)
    entry = Interaction.objects.create(
        customer=customer,
        project=first,
        kind=InteractionKind.MEETING,
        occurred_on=timezone.localdate(),
        user=people["owner"],
        summary="Budget confirmed",
    )
    Interaction.objects.create(
        customer=rival.customer,
        project=rival,
        kind=InteractionKind.CALL,
        occurred_on=timezone.localdate(),
        user=rival.owner,
        summary="Another customer",
    )
    return {"first": first, "second": second, "entry": entry}


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("director", True),
        ("owner", True),
        ("assignee", True),
        ("observer", True),
        ("sam-sibling", False),  # on another project of the same customer: not this deal's log
        ("former member", False),
        ("outsider", False),
        ("rita-rival", False),  # on a project of another customer
    ],
)
def test_who_reads_the_customers_interaction_log(people, customer, logged, who, sees):
    user = people[who] if who in people else UserFactory(username=who)

    entries = list(access.interactions_visible_to(user, customer))

    assert entries == ([logged["entry"]] if sees else [])


def test_the_log_is_read_in_one_query(people, customer, logged, django_assert_num_queries):
    _ = people["assignee"].role_names  # read once per request

    # The entries on the customer's projects the person may see.
    with django_assert_num_queries(1):
        assert len(access.interactions_visible_to(people["assignee"], customer)) == 1


def test_an_anonymous_visitor_reads_no_log(customer, logged):
    assert list(access.interactions_visible_to(AnonymousUser(), customer)) == []


def test_the_owner_of_a_sibling_project_does_not_read_its_entries(customer, logged):
    assert list(access.interactions_visible_to(logged["second"].owner, customer)) == []


@pytest.mark.parametrize(
    ("who", "projects_named"),
    [
        ("director", {"first", "second", "closed"}),
        ("owner", {"first"}),
        ("account lead", {"first"}),
        ("assignee", {"first"}),
        ("observer", set()),
        ("former member", set()),
        ("outsider", set()),
        ("sam-sibling", {"second"}),
    ],
)
def test_projects_for_logging(people, customer, logged, who, projects_named):
    closed = staffed(people, stage=Stage.CLOSED, customer=customer)
    names = {logged["first"].pk: "first", logged["second"].pk: "second", closed.pk: "closed"}
    user = people[who] if who in people else UserFactory(username=who)

    allowed = access.projects_for_logging(user, customer)

    assert {names[p.pk] for p in allowed} == projects_named


def test_customer_projects_visible_to(people, customer, logged):
    sibling = UserFactory(username="sam-sibling")

    assert list(access.customer_projects_visible_to(sibling, customer)) == [logged["second"]]
    assert set(access.customer_projects_visible_to(people["director"], customer)) == {
        logged["first"],
        logged["second"],
    }
    assert list(access.customer_projects_visible_to(people["outsider"], customer)) == []
