"""Control characters (issue 16): text a person types may hold tab and new lines but no other
C0 control character — refused next to the field on pages and in the API, in every free-text
field of every model — and text stored before that exports cleanly to Excel."""

import io

import openpyxl
import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from rest_framework.test import APIClient

from collaboration.models import Comment, Task
from core.text import no_control_characters
from projects.models import Project
from tests.browser_forms import form_with
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

# Written by the application, never typed: codes, tokens, keys, checksums, error records.
MACHINE_TEXT = {
    "core.DeferredTask.name",
    "core.Heartbeat.hostname",
    "collaboration.CalendarToken.token",
    "collaboration.Notification.event_key",
    "collaboration.Task.strategy_action",
    "projects.ImportBatch.checksum",
    "projects.KpiRun.error",
    "projects.PortfolioSnapshot.key",
    "projects.Project.code",
}


def _free_text_fields():
    for model in apps.get_models():
        if model._meta.app_label not in ("core", "projects", "collaboration"):
            continue
        if model.__name__.startswith("Historical"):
            continue
        for field in model._meta.get_fields():
            kinds = (models.CharField, models.TextField)
            if not isinstance(field, kinds) or field.choices or not field.editable:
                continue
            if isinstance(field, (models.EmailField, models.URLField, models.SlugField)):
                continue
            if field.name in ("password", "username", "first_name", "last_name", "email"):
                continue  # Django's own user fields, with their own validators
            name = f"{model._meta.label}.{field.name}"
            if name not in MACHINE_TEXT:
                yield name, field


@pytest.mark.parametrize(("name", "field"), list(_free_text_fields()), ids=lambda v: str(v))
def test_every_free_text_field_refuses_control_characters(name, field):
    assert no_control_characters in field.validators, name


def test_the_chinese_task_form_says_so_next_to_the_field(client, manager, project):
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)
    url = reverse("collaboration:task_create", args=[project.pk])
    data = dict(form_with(client.get(url).content.decode(), "title").submission())
    data["title"] = "准备\x07报价"

    response = client.post(url, data)

    assert response.context["form"].errors["title"] == [
        "请删除文本中不可见的控制字符（代码 U+0007）。"
    ]
    assert not Task.objects.filter(project=project).exists()


def test_tabs_and_new_lines_are_text(manager, project):
    api = APIClient()
    api.force_authenticate(manager)

    response = api.patch(
        reverse("api:project-detail", args=[project.pk]),
        {"background": "第一行\r\n第二行\t完"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert Project.objects.get(pk=project.pk).background == "第一行\r\n第二行\t完"


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x0b", "\x0c", "\x1f"])
def test_the_api_answers_400_with_the_field(manager, character):
    api = APIClient()
    api.force_authenticate(manager)
    body = {"name": f"De{character}al", "customer": CustomerFactory().pk}

    response = api.post(reverse("api:project-list"), body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["name"]
    assert not Project.objects.exists()


def test_a_comment_with_a_control_character_is_refused_by_the_api(manager, project):
    api = APIClient()
    api.force_authenticate(manager)

    response = api.post(
        reverse("api:project-comments", args=[project.pk]), {"body": "ok\x08"}, format="json"
    )

    assert response.status_code == 400
    assert "body" in response.json()
    assert not Comment.objects.exists()


def test_text_stored_before_exports_to_excel_with_a_space(client, manager, project):
    Project.objects.filter(pk=project.pk).update(name="Harbour\x07ERP")
    client.force_login(manager)

    response = client.get(reverse("dataio:project_list_export", args=["xlsx"]))

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert "Harbour ERP" in [cell.value for cell in sheet[2]]
