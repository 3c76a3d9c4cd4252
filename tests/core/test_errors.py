import pytest
from django.test import Client
from rest_framework.test import APIClient

from projects.models import ClosureReport, Stage, StagePolicy, Strategy, StrategyStatus
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_404_page_is_ours_and_translated(client, manager):
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert 'data-testid="error-404"' in response.content.decode()
    assert "页面不存在" in response.content.decode()


@pytest.mark.urls("tests.core.urls_with_failure")
def test_403_page_is_ours(client, manager):
    client.force_login(manager)

    response = client.get("/forbid/")

    assert response.status_code == 403
    assert 'data-testid="error-403"' in response.content.decode()


@pytest.mark.urls("tests.core.urls_with_failure")
def test_500_page_is_ours():
    client = Client(raise_request_exception=False)

    response = client.get("/fail/")

    assert response.status_code == 500
    assert 'data-testid="error-500"' in response.content.decode()


def test_admin_is_on(client, db):
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/accounts/department/").status_code == 200
    assert client.get("/admin/django_celery_beat/periodictask/").status_code == 200


def test_project_admin_pages_load_and_show_the_gate(client, db, manager):
    from customers.models import Customer
    from projects.models import Project
    from tests.factories import UserFactory

    customer = Customer.objects.create(name="Admin Co", industry="finance", region="east")
    project = Project.objects.create(
        code="SP-2026-7777", name="Adm", customer=customer, owner=manager
    )
    client.force_login(UserFactory(username="root2", is_staff=True, is_superuser=True))

    page = client.get(f"/admin/projects/project/{project.pk}/change/")

    assert page.status_code == 200
    assert "✗" in page.content.decode()
    for url in [
        "/admin/projects/project/",
        "/admin/projects/stagepolicy/",
        "/admin/projects/stagetransition/",
        "/admin/customers/customer/",
    ]:
        assert client.get(url).status_code == 200, url


# --- under /api/, Django's own errors answer JSON ----------------------------------------------
def assert_json_error(response, status: int) -> str:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    return response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/v1/projects/1.5/", "/api/v1/nope/", "/api/nope"])
def test_an_api_url_that_matches_no_route_answers_json_404(client, manager, path):
    manager.language = "en"
    manager.save()
    client.force_login(manager)

    assert assert_json_error(client.get(path), 404) == "Not found."


def test_the_api_404_is_in_the_users_language(client, manager):
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)

    assert assert_json_error(client.get("/api/v1/nope/"), 404) == "未找到。"


def test_an_anonymous_api_404_is_json_too(client, db):
    response = client.get("/api/v1/projects/1.5/", headers={"Accept-Language": "en"})

    assert assert_json_error(response, 404) == "Not found."


def test_a_page_404_outside_the_api_stays_a_page(client, manager):
    client.force_login(manager)

    response = client.get("/projects/1.5/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


THREE_MEGABYTES = 3 * 1024 * 1024


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/json", b'{"name": "' + b"x" * THREE_MEGABYTES + b'"}'),
        # A form body is read by our middleware (FormLineBreaksMiddleware) before any view.
        ("application/x-www-form-urlencoded", b"name=" + b"x" * THREE_MEGABYTES),
    ],
)
def test_an_api_body_larger_than_the_upload_limit_answers_json_400(
    client, settings, manager, content_type, body
):
    manager.language = "en"
    manager.save()
    client.force_login(manager)
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = client.post("/api/v1/projects/", data=body, content_type=content_type)

    assert assert_json_error(response, 400) == "The request body is too large."


def test_the_too_large_body_error_is_in_the_users_language(client, settings, manager):
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)
    body = b'{"name": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}'

    response = client.post("/api/v1/projects/", data=body, content_type="application/json")

    assert assert_json_error(response, 400) == "请求体过大。"


def test_an_api_request_for_an_unknown_host_answers_json_400(client, db):
    response = client.get("/api/v1/projects/", headers={"Accept-Language": "en"}, HTTP_HOST="evil")

    assert assert_json_error(response, 400) == "Malformed request."


@pytest.mark.urls("tests.core.urls_with_failure")
def test_an_api_500_is_json(manager):
    client = Client(raise_request_exception=False)
    client.force_login(manager)

    response = client.get("/api/fail/", headers={"Accept-Language": "en"})

    assert assert_json_error(response, 500) == "A server error occurred."


@pytest.mark.urls("tests.core.urls_with_failure")
def test_an_api_403_outside_drf_is_json(client, manager):
    client.force_login(manager)

    response = client.get("/api/forbid/", headers={"Accept-Language": "en"})

    assert assert_json_error(response, 403) == "You do not have permission to perform this action."


@pytest.mark.urls("tests.core.urls_with_failure")
def test_a_refused_csrf_check_under_the_api_is_json(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    response = client.post("/api/post/", headers={"Accept-Language": "en"})

    assert assert_json_error(response, 403) == "CSRF check failed. Reload the page and try again."


# --- inside a DRF view, one exception handler answers for every endpoint ----------------------
MOVED = "This project moved meanwhile; reload and try again."


def api_as(user, language: str = "en") -> APIClient:
    user.language = language
    user.save()
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        pytest.param(
            {"to_stage": "goal_setting", "from_stage": "strategy"},
            409,
            {"detail": MOVED},
            id="stale-view",
        ),
        pytest.param(
            {"to_stage": "execution"},
            400,
            {"to_stage": ["A project in Initiation cannot move to Execution."]},
            id="unreachable-stage",
        ),
        pytest.param(
            {"to_stage": "closure"},
            400,
            {
                "outcome": ["Aborting needs the outcome Lost or Cancelled."],
                "reason": ["Give the reason for aborting the project."],
            },
            id="abort-without-outcome-or-reason",
        ),
    ],
)
def test_a_refused_transition_answers_its_status_and_body(manager, body, status, answer):
    project = ProjectFactory(owner=manager, stage=Stage.INITIATION)

    response = api_as(manager).post(
        f"/api/v1/projects/{project.pk}/transitions/", body, format="json"
    )

    assert (response.status_code, response.json()) == (status, answer)
    assert not project.transitions.exists()


def test_an_unmet_gate_answers_409_with_the_criteria(manager):
    project = ProjectFactory(owner=manager, stage=Stage.INITIATION)

    response = api_as(manager).post(
        f"/api/v1/projects/{project.pk}/transitions/", {"to_stage": "goal_setting"}, format="json"
    )

    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "The exit criteria of this stage are not all met."
    assert "feasibility_go" in {criterion["code"] for criterion in body["unmet"]}


def test_a_move_the_person_may_not_take_answers_403(manager):
    project = ProjectFactory(owner=manager, stage=Stage.CLOSED, outcome="lost")
    ClosureReport.objects.create(project=project, outcome="lost")

    response = api_as(manager).post(
        f"/api/v1/projects/{project.pk}/transitions/",
        {"to_stage": "monitoring", "note": "They called back."},
        format="json",
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the project owner or a director can do this."}


@pytest.mark.parametrize("decision", ["approve", "send-back"])
def test_deciding_an_approval_answers_409_when_none_waits_or_the_stage_moved(
    manager, director, decision
):
    StagePolicy.objects.filter(stage=Stage.INITIATION).update(requires_approval=True)
    project = ProjectFactory(owner=manager, stage=Stage.INITIATION)
    client, path = api_as(director), f"/api/v1/projects/{project.pk}/{decision}/"

    nothing_waits = client.post(path, {"note": "Fine."}, format="json")
    project.approval_requested_by = manager
    project.approval_requested_at = project.created_at
    project.save()
    moved = client.post(path, {"note": "Fine.", "from_stage": "strategy"}, format="json")

    assert nothing_waits.status_code == 409
    assert nothing_waits.json() == {"detail": "No stage change is waiting for approval."}
    assert (moved.status_code, moved.json()) == (409, {"detail": MOVED})
    project.refresh_from_db()
    assert project.awaiting_approval and project.stage == Stage.INITIATION


def test_a_refusal_reads_in_the_persons_language(manager):
    project = ProjectFactory(owner=manager, stage=Stage.INITIATION)

    response = api_as(manager, "zh-hans").post(
        f"/api/v1/projects/{project.pk}/transitions/",
        {"to_stage": "goal_setting", "from_stage": "strategy"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "此项目已被他人变更，请刷新后重试。"}


def test_a_record_others_refer_to_answers_409(manager):
    project = ProjectFactory(owner=manager, stage=Stage.STRATEGY)
    first = Strategy.objects.create(project=project, kind="pricing", summary="Undercut.")
    Strategy.objects.create(project=project, kind="pricing", summary="Again.", supersedes=first)

    response = api_as(manager).delete(f"/api/v1/projects/{project.pk}/strategies/{first.pk}/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Other records refer to this one, so it cannot be removed."
    }
    assert Strategy.objects.filter(pk=first.pk).exists()


def test_a_services_field_error_answers_400_with_the_field(manager):
    project = ProjectFactory(owner=manager, stage=Stage.STRATEGY)
    strategy = Strategy.objects.create(
        project=project, kind="pricing", summary="In force.", status=StrategyStatus.ACTIVE
    )

    response = api_as(manager).post(
        f"/api/v1/projects/{project.pk}/strategies/{strategy.pk}/adopt/", format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"status": ["Only a draft revision can be adopted."]}


@pytest.mark.urls("tests.core.urls_with_failure")
def test_a_refusal_of_any_app_answers_its_own_status_and_body(db):
    response = APIClient().post("/api/refuse/")

    assert response.status_code == 422
    assert response.json() == {"detail": "No seats left.", "seats": 0}


@pytest.mark.urls("tests.core.urls_with_failure")
def test_a_services_error_naming_no_field_is_a_400_for_the_whole_request(db):
    response = APIClient().post("/api/refuse-whole-request/")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Not on a holiday."]}
