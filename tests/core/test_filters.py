"""The yes/no filters of every list offer "Any" (任意), yes and no — never "Unknown" (未知) —
in both languages, and submitting the rendered choice filters as its label says."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from collaboration.filters import PortfolioTaskFilter, TaskFilter
from projects.filters import ProjectFilter
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


class Selects(HTMLParser):
    """The options of every <select> of a page: name → [(value, label, selected)]."""

    def __init__(self) -> None:
        super().__init__()
        self.selects: dict[str, list[tuple[str, str, bool]]] = {}
        self._select: str | None = None
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = attrs.get("name")
            self.selects[self._select] = []
        elif tag == "option" and self._select is not None:
            selected = "selected" in attrs
            self._option = {"value": attrs.get("value", ""), "label": "", "sel": selected}

    def handle_data(self, data):
        if self._option is not None:
            self._option["label"] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            option = self._option
            self.selects[self._select].append(
                (option["value"], option["label"].strip(), option["sel"])
            )
            self._option = None
        elif tag == "select":
            self._select = None


def selects(response) -> dict[str, list[tuple[str, str, bool]]]:
    parser = Selects()
    parser.feed(response.content.decode())
    return parser.selects


def labels(options) -> list[str]:
    return [label for _value, label, _selected in options]


ANY_YES_NO = {"zh-hans": ["任意", "是", "否"], "en": ["Any", "Yes", "No"]}


@pytest.fixture
def pages(project):
    return {
        "project_list": (reverse("projects:project_list"), ["looped", "active"]),
        "task_list": (
            reverse("collaboration:task_list", args=[project.pk]),
            ["overdue", "due_this_week"],
        ),
        "my_tasks": (reverse("collaboration:my_tasks"), ["overdue", "due_this_week"]),
        "portfolio_tasks": (reverse("collaboration:portfolio_tasks"), ["overdue", "due_this_week"]),
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("page", ["project_list", "task_list", "my_tasks", "portfolio_tasks"])
def test_yes_no_filters_offer_any_yes_no(client, manager, pages, language, page):
    manager.language = language
    manager.save()
    client.force_login(manager)
    url, names = pages[page]

    drawn = selects(client.get(url))

    for name in names:
        assert labels(drawn[name]) == ANY_YES_NO[language], name
        assert drawn[name][0][2], f"{name}: Any is the option chosen when nothing is asked"


@pytest.mark.parametrize("filterset", [ProjectFilter, TaskFilter, PortfolioTaskFilter])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_boolean_filter_renders_any(filterset, language):
    with translation.override(language):
        for name, field in filterset().form.fields.items():
            choices = getattr(field.widget, "choices", None)
            if field.__class__.__name__ == "NullBooleanField":
                assert [str(label) for _v, label in choices] == ANY_YES_NO[language], name


def test_submitting_the_rendered_choices_filters_as_they_say(client, manager, project):
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)
    long_ago = timezone.localdate().replace(year=2020)
    late = TaskFactory(project=project, title="Late", due_date=long_ago)
    TaskFactory(project=project, title="On time", due_date=None)
    url = reverse("collaboration:task_list", args=[project.pk])
    options = {label: value for value, label, _sel in selects(client.get(url))["overdue"]}

    def titles(value: str) -> set[str]:
        response = client.get(url, {"overdue": value})
        return {task.title for task in response.context["page"].object_list}

    assert titles(options["任意"]) == {"Late", "On time"}
    assert titles(options["是"]) == {late.title}
    assert titles(options["否"]) == {"On time"}
    chosen = selects(client.get(url, {"overdue": options["任意"]}))["overdue"]
    assert [label for _v, label, sel in chosen if sel] == ["任意"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("page", ["project_list", "task_list", "my_tasks", "portfolio_tasks"])
def test_the_chosen_answer_stays_chosen_after_filtering(client, manager, pages, language, page):
    manager.language = language
    manager.save()
    client.force_login(manager)
    url, names = pages[page]
    yes, no = ANY_YES_NO[language][1:]

    for name in names:
        for value, label in (("true", yes), ("false", no), ("", ANY_YES_NO[language][0])):
            drawn = selects(client.get(url, {name: value}))[name]
            assert [lbl for _v, lbl, sel in drawn if sel] == [label], (name, value)
