import pytest
from django.test import Client

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
    assert client.get("/admin/core/user/").status_code == 200
    assert client.get("/admin/collaboration/department/").status_code == 200
    assert client.get("/admin/django_celery_beat/periodictask/").status_code == 200


def test_project_admin_pages_load_and_show_the_gate(client, db, manager):
    from projects.models import Customer, Project
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
        "/admin/projects/customer/",
    ]:
        assert client.get(url).status_code == 200, url
