"""The knowledge base of lessons learned: search, filters, access, similar projects, the page
and the API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from customers.models import Industry, Region
from insights.lessons import lessons_search, similar_lessons
from projects.models import Outcome, Stage
from tests.factories import CustomerFactory, LessonFactory, ProjectFactory

pytestmark = pytest.mark.django_db

DECISION_MAKER = "尽早识别技术决策人，并在方案阶段邀请其参加演示。"
PILOT = "Offer a Pilot before the formal tender."


def _texts(lessons) -> list[str]:
    return [lesson.text for lesson in lessons]


def _closed(customer, **kwargs):
    return ProjectFactory(customer=customer, stage=Stage.CLOSED, **kwargs)


# --- search ------------------------------------------------------------------------------------
def test_short_chinese_query_finds_lesson(director):
    LessonFactory(text=DECISION_MAKER)
    LessonFactory(text=PILOT)

    assert _texts(lessons_search(director, text="决策人")) == [DECISION_MAKER]


def test_english_query_is_case_insensitive(director):
    LessonFactory(text=DECISION_MAKER)
    LessonFactory(text=PILOT)

    assert _texts(lessons_search(director, text="pilot")) == [PILOT]
    assert _texts(lessons_search(director, text="  TENDER ")) == [PILOT]


def test_unrelated_query_finds_nothing(director):
    LessonFactory(text=PILOT)

    assert _texts(lessons_search(director, text="采购流程")) == []


def test_filters_by_industry_region_stage_and_outcome(director):
    finance = CustomerFactory(industry=Industry.FINANCE, region=Region.values[0])
    energy = CustomerFactory(industry=Industry.ENERGY, region=Region.values[1])
    lost = ProjectFactory(customer=finance, stage=Stage.CLOSED, outcome=Outcome.LOST)
    won = _closed(energy)
    LessonFactory(project=lost, text="finance lost", stage=Stage.STRATEGY)
    LessonFactory(project=won, text="energy won", stage=Stage.EXECUTION)

    assert _texts(lessons_search(director, industry=Industry.FINANCE)) == ["finance lost"]
    assert _texts(lessons_search(director, region=Region.values[1])) == ["energy won"]
    assert _texts(lessons_search(director, stage=Stage.EXECUTION)) == ["energy won"]
    assert _texts(lessons_search(director, outcome=Outcome.LOST)) == ["finance lost"]


def test_member_sees_only_lessons_of_their_projects(project, team_member, director):
    LessonFactory(project=project, text="ours")
    LessonFactory(text="someone else's")

    assert _texts(lessons_search(team_member)) == ["ours"]
    assert sorted(_texts(lessons_search(director))) == ["ours", "someone else's"]


def test_outsider_sees_no_lessons(project, outsider):
    LessonFactory(project=project)

    assert _texts(lessons_search(outsider)) == []


# --- similar projects --------------------------------------------------------------------------
def test_similar_lessons_rank_customer_then_industry_and_region_then_industry():
    customer = CustomerFactory(industry=Industry.FINANCE, region=Region.values[0])
    project = ProjectFactory(customer=customer, stage=Stage.INITIATION)
    same_industry = CustomerFactory(industry=Industry.FINANCE, region=Region.values[1])
    same_region = CustomerFactory(industry=Industry.FINANCE, region=Region.values[0])
    other = CustomerFactory(industry=Industry.ENERGY, region=Region.values[0])
    # Created least similar first, so that recency alone would give the wrong order.
    LessonFactory(project=_closed(other), text="other industry")
    LessonFactory(project=_closed(same_industry), text="industry")
    LessonFactory(project=_closed(same_region), text="industry and region")
    LessonFactory(project=_closed(customer), text="customer")
    LessonFactory(project=ProjectFactory(customer=customer, stage=Stage.EXECUTION), text="open")
    LessonFactory(project=project, text="itself")

    with CaptureQueriesContext(connection) as context:
        lessons = similar_lessons(project)

    assert _texts(lessons) == ["customer", "industry and region", "industry"]
    assert len(context.captured_queries) <= 2


def test_similar_lessons_are_limited():
    customer = CustomerFactory()
    project = ProjectFactory(customer=customer)
    for n in range(7):
        LessonFactory(project=_closed(customer), text=f"lesson {n}")

    assert len(similar_lessons(project)) == 5
    assert len(similar_lessons(project, limit=2)) == 2


def test_similar_lessons_for_a_user_skip_projects_they_cannot_see(project, team_member):
    LessonFactory(project=_closed(project.customer), text="hidden")

    assert similar_lessons(project, user=team_member) == []
    assert _texts(similar_lessons(project)) == ["hidden"]


# --- the page ----------------------------------------------------------------------------------
def _page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_page_lists_and_searches_lessons(client, director):
    project = _closed(CustomerFactory(name="华东银行"), name="Core banking")
    LessonFactory(project=project, text=DECISION_MAKER)
    LessonFactory(text=PILOT)
    client.force_login(director)

    page = client.get(reverse("insights:lesson_list"), {"q": "决策人"}).content.decode()

    assert DECISION_MAKER in page
    assert PILOT not in page
    assert project.code in page and "Core banking" in page and "华东银行" in page
    assert project.get_absolute_url() in page


def test_page_requires_sign_in(client):
    response = client.get(reverse("insights:lesson_list"))

    assert response.status_code == 302


def test_page_refuses_unknown_filter_values_quietly(client, director):
    LessonFactory()
    client.force_login(director)

    response = client.get(reverse("insights:lesson_list"), {"stage": "nope"})

    assert response.status_code == 200
    assert 'data-testid="lesson"' not in response.content.decode()


def test_page_queries_do_not_grow_with_lessons(client, director):
    client.force_login(director)
    url = reverse("insights:lesson_list")
    client.get(url)  # caches that fill on the first request (sessions, settings) are warm
    LessonFactory()
    one = _page_queries(client, url)
    LessonFactory.create_batch(19)

    assert _page_queries(client, url) == one


def test_nav_links_to_the_knowledge_base(client, member):
    client.force_login(member)

    page = client.get(reverse("insights:lesson_list")).content.decode()

    assert 'data-testid="nav-lessons"' in page


# --- the project page --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stage", "shown"),
    [
        (Stage.INITIATION, True),
        (Stage.STRATEGY, True),
        (Stage.GOAL_SETTING, False),
        (Stage.EXECUTION, False),
    ],
)
def test_project_page_shows_similar_lessons_in_initiation_and_strategy(
    client, director, stage, shown
):
    project = ProjectFactory(stage=stage, owner=director)
    LessonFactory(project=_closed(project.customer), text="Bring the CIO to the demo.")
    client.force_login(director)

    page = client.get(project.get_absolute_url()).content.decode()

    assert ('data-testid="similar-lessons"' in page) is shown
    assert ("Bring the CIO to the demo." in page) is shown


# --- the API -----------------------------------------------------------------------------------
def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


API_URL = "/api/v1/lessons/"


def test_api_searches_and_filters(director):
    project = _closed(CustomerFactory(industry=Industry.FINANCE))
    LessonFactory(project=project, text=DECISION_MAKER)
    LessonFactory(text=PILOT, project__customer__industry=Industry.ENERGY)

    found = _api(director).get(API_URL, {"q": "决策人"}).json()
    by_industry = _api(director).get(API_URL, {"industry": Industry.ENERGY}).json()

    assert [row["text"] for row in found["results"]] == [DECISION_MAKER]
    assert found["results"][0]["project_code"] == project.code
    assert found["results"][0]["outcome"] == Outcome.WON
    assert [row["text"] for row in by_industry["results"]] == [PILOT]


def test_api_shows_only_visible_lessons(project, team_member):
    LessonFactory(project=project, text="ours")
    LessonFactory(text="theirs")

    rows = _api(team_member).get(API_URL).json()["results"]

    assert [row["text"] for row in rows] == ["ours"]


def test_api_rejects_unknown_filter_values(director):
    response = _api(director).get(API_URL, {"outcome": "maybe"})

    assert response.status_code == 400


def test_api_requires_authentication():
    assert APIClient().get(API_URL).status_code == 401


def test_api_queries_do_not_grow_with_lessons(director):
    client = _api(director)
    client.get(API_URL)  # the user's roles are loaded once and kept on the user object
    LessonFactory()
    with CaptureQueriesContext(connection) as one:
        assert client.get(API_URL).status_code == 200
    LessonFactory.create_batch(19)
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(API_URL)

    assert response.json()["count"] == 20
    assert len(twenty.captured_queries) == len(one.captured_queries)


def test_postgres_ranks_by_similarity_and_forgives_typos(require_postgres, director):
    LessonFactory(text="Invite procurement to the first workshop.")
    LessonFactory(text=PILOT)

    assert _texts(lessons_search(director, text="pilott")) == [PILOT]
    assert _texts(lessons_search(director, text="tender")) == [PILOT]
