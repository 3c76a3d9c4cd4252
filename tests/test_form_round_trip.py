"""Every form round-trips: what a page renders, a browser submits, and nothing stored changes.

The suite once passed while every zh-hans edit form erased its dates: the test client posted
what the tests wrote ("2027/03/05" parses fine), a browser posts what the page rendered, and a
date box drops "2027/03/05". These tests find the forms themselves, the way a person does:

1. sign in (in zh-hans and in English, as a director and as the project's owner) and follow
   every link of the site from the home page and the records of a fully filled world;
2. on every page, find each edit form — a Django ModelForm of a stored record in the page's
   context — and the HTML <form> that renders it;
3. submit exactly what Chromium would submit from that HTML (tests/browser_forms.py: inputs
   sanitised as a browser does, selects, checkboxes, textareas with CR LF);
4. assert the save was accepted and every field of every row of the record's model is as before.

A form added later is found the same way; `test_every_model_form_is_round_tripped` fails if a
ModelForm of ours is never rendered as an edit form, unless it is create-only by design below.
Every input of every page must also carry a value a browser keeps (no "2027/03/05" in a date
box, no "4,450,000" in a number box), create forms and filters included.
"""

import datetime
from collections import deque
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client
from django.utils import timezone

from collaboration.models import Interaction, InteractionKind, TaskStatus, TeamRole
from collaboration.services import comment_post
from core.roles import Role
from projects.models import (
    FeasibilityDecision,
    GoalMetric,
    Outcome,
    ReviewCadence,
    Stage,
    StrategyKind,
)
from tests.browser_forms import browser_forms, rejected_inputs
from tests.factories import (
    ClosureReportFactory,
    ContactFactory,
    CustomerFactory,
    DepartmentFactory,
    FeasibilityFactory,
    GoalFactory,
    LessonFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    ResourceAllocationFactory,
    ReviewActionItemFactory,
    ReviewMeetingFactory,
    RiskFactory,
    StrategyFactory,
    TaskFactory,
    UserFactory,
)

# Forms that only ever create a record (there is nothing stored to round-trip); every other
# ModelForm of ours must be found as an edit form. Say why when adding one here.
CREATE_ONLY = {
    "ContactForm": "contacts are added on the customer page and not edited there",
    "ReviewActionItemForm": "action items are added during the review and not edited",
}
# Pages the crawl does not open: leaving, the admin (Django's own forms), the API, downloads,
# feeds and the language switch (a POST that changes the person's profile).
SKIPPED_PREFIXES = ("/accounts/logout", "/admin/", "/api/", "/static/", "/language/")
SKIPPED_SUFFIXES = (".csv", ".xlsx", ".ics")
PAGE_LIMIT = 400
OUR_APPS = {"core", "projects", "collaboration"}


# --- a world where every field of every record is filled ------------------------------------
def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _at(days: int, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(_day(days), datetime.time(hour, minute)))


@pytest.fixture
def world(db):
    """Two projects of one customer — one in execution, one in closure — with every record a
    page edits, each with every field filled and awkward values: fractions, large amounts,
    Chinese text, line breaks, dates across a month and a year end."""
    sales = DepartmentFactory(code="sales")
    solution = DepartmentFactory(code="solution")
    director = UserFactory(username="dora-director", role=Role.DIRECTOR, department=sales)
    owner = UserFactory(username="mark-manager", role=Role.SALES_MANAGER, department=sales)
    member = UserFactory(username="mia-member", role=Role.MEMBER, department=solution)
    customer = CustomerFactory(
        name="华东物流集团",
        industry="logistics",
        region="east",
        size="large",
        website="https://logistics.example.com",
        notes="总部在上海。\n三个工厂。",
    )
    contact = ContactFactory(
        customer=customer,
        name="王磊",
        title="信息化总监",
        phone="+86 21 5555 0100",
        email="wang.lei@example.com",
        notes="周二上午方便联系。",
    )
    project = ProjectFactory(
        name="华东仓储管理系统",
        customer=customer,
        owner=owner,
        stage=Stage.EXECUTION,
        background="客户正在更换旧系统。\n我们受邀投标。",
        estimated_value=Decimal("4450000.50"),
        currency="USD",
        expected_close_date=_day(97),
        review_cadence=ReviewCadence.FORTNIGHTLY,
    )
    for user, role, department in [
        (owner, TeamRole.OWNER, sales),
        (director, TeamRole.ACCOUNT_LEAD, sales),
    ]:
        ProjectMembershipFactory(project=project, user=user, role=role, department=department)
    ProjectMembershipFactory(
        project=project,
        user=member,
        role=TeamRole.SOLUTION_LEAD,
        department=solution,
        responsibilities="方案设计与演示。",
    )
    FeasibilityFactory(
        project=project,
        market_research="三家供应商入围。",
        customer_needs="统一查看各工厂订单。",
        competitors="两家本地集成商。",
        decision=FeasibilityDecision.GO,
        decided_by=owner,
        decided_at=_at(-20, 10, 15),
    )
    GoalFactory(
        project=project,
        metric=GoalMetric.REVENUE,
        title="签订合同",
        baseline=Decimal("125000.25"),
        target=Decimal("4450000.50"),
        unit="CNY",
        current_value=Decimal("1234567.89"),
        deadline=_day(45),
        owner=owner,
        achievable="试点已获认可。",
        relevant="年度目标的一部分。",
    )
    ResourceAllocationFactory(
        project=project,
        kind="people",
        description="方案工程师两名",
        department=solution,
        person=member,
        quantity=Decimal("2.5"),
        planned_cost=Decimal("88000.75"),
        actual_cost=Decimal("12000.10"),
    )
    StrategyFactory(
        project=project,
        kind=StrategyKind.CUSTOMER_DEVELOPMENT,
        summary="通过试点赢得运营总监。",
        actions="开展试点\n展示试点结果",
        created_by=owner,
    )
    first = TaskFactory(
        project=project,
        title="准备试点环境",
        stage=Stage.EXECUTION,
        department=solution,
        assignee=member,
        status=TaskStatus.DONE,
        start_date=_day(-30),
        due_date=_day(-3),
        progress=100,
        completed_at=_at(-3, 17, 0),
    )
    task = TaskFactory(
        project=project,
        title="试点验收",
        description="与客户一起验收。\n准备报告。",
        stage=Stage.EXECUTION,
        department=solution,
        assignee=member,
        status=TaskStatus.IN_PROGRESS,
        priority="high",
        start_date=_day(-2),
        due_date=_day(33),
        progress=40,
        estimate_hours=Decimal("12.5"),
        is_milestone=True,
    )
    task.dependencies.add(first)
    review = ReviewMeetingFactory(
        project=project,
        scheduled_for=_at(12, 9, 30),
        duration_minutes=90,
        location="上海办公室 3 楼",
        agenda="目标进展。\n风险回顾。",
        minutes="讨论了试点。",
        created_by=owner,
    )
    review.attendees.add(owner, member)
    ReviewActionItemFactory(review=review, title="发送报价", owner=member, due_date=_day(9))
    RiskFactory(
        project=project,
        title="竞争对手降价",
        category="competition",
        probability=4,
        impact=3,
        owner=owner,
        mitigation="强调交付能力。",
        status="mitigating",
        due_date=_day(21),
        last_reviewed_on=_day(-6),
        created_by=owner,
    )
    Interaction.objects.create(
        customer=customer,
        project=project,
        kind=InteractionKind.VISIT,
        occurred_on=_day(-8),
        user=director,
        contact=contact,
        summary="拜访了运营总监。\n对试点满意。",
        next_step="发送报价",
    )
    comment_post(project=project, actor=director, body="请 @mark-manager 跟进。")
    closing = ProjectFactory(
        name="华南冷链项目",
        customer=customer,
        owner=owner,
        stage=Stage.CLOSURE,
        background="冷链监控。",
        estimated_value=Decimal("980000.00"),
        currency="CNY",
        expected_close_date=_day(-5),
        review_cadence=ReviewCadence.MONTHLY,
    )
    ProjectMembershipFactory(project=closing, user=owner, role=TeamRole.OWNER, department=sales)
    ClosureReportFactory(
        project=closing,
        outcome=Outcome.WON,
        actual_value=Decimal("1020000.40"),
        closed_on=_day(-1),
        summary="试点后签约。",
        went_well="试点说服了运营总监。",
        to_improve="更早让采购参与。",
        recommendations="先做试点。",
    )
    LessonFactory(project=closing, text="正式招标前先提供试点。", stage=Stage.STRATEGY)
    return {"director": director, "owner": owner, "projects": [project, closing]}


# --- reading pages the way a browser does ---------------------------------------------------
class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, bool]] = []  # (url, is an htmx request)

    def handle_starttag(self, tag: str, attrs) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append((a["href"], False))
        if a.get("hx-get"):
            self.links.append((a["hx-get"], True))


def _links(html: str) -> list[tuple[str, bool]]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def _followed(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or parts.fragment and not parts.path:
        return False
    path = parts.path
    return (
        path.startswith("/")
        and not path.startswith(SKIPPED_PREFIXES)
        and not path.endswith(SKIPPED_SUFFIXES)
    )


def _context_forms(response) -> list[forms.BaseModelForm]:
    """The ModelForms of stored records that the page's templates were given."""
    found, seen = [], set()

    def walk(value, depth: int) -> None:
        if isinstance(value, forms.BaseModelForm):
            if value.instance.pk and not value.is_bound and id(value) not in seen:
                seen.add(id(value))
                found.append(value)
        elif depth and isinstance(value, dict):
            for item in value.values():
                walk(item, depth - 1)
        elif depth and isinstance(value, list | tuple):
            for item in value:
                walk(item, depth - 1)

    contexts = response.context
    if contexts is None:
        return found
    if not isinstance(contexts, list):
        contexts = [contexts]
    for context in contexts:
        for layer in context.dicts:
            for value in layer.values():
                walk(value, 3)
    return found


def _rows(model: type[models.Model]) -> dict:
    """Every row of the model with every field a save must not change (not auto_now)."""
    fields = [
        f.attname
        for f in model._meta.concrete_fields
        if not getattr(f, "auto_now", False) and not f.generated
    ]
    rows = {row["pk"]: row for row in model.objects.values("pk", *fields)}
    for m2m in model._meta.many_to_many:
        through = m2m.remote_field.through
        source = m2m.m2m_field_name()
        target = m2m.m2m_reverse_field_name()
        for pk, other in through.objects.values_list(f"{source}_id", f"{target}_id"):
            if pk in rows:
                rows[pk].setdefault(m2m.name, set()).add(other)
    return rows


def _differences(before: dict, after: dict) -> list[str]:
    changes = []
    for pk, row in before.items():
        new = after.get(pk)
        if new is None:
            changes.append(f"row {pk} was deleted")
            continue
        for name in sorted(set(row) | set(new)):
            if row.get(name) != new.get(name):
                changes.append(f"row {pk}: {name} {row.get(name)!r} → {new.get(name)!r}")
    changes.extend(f"row {pk} was added" for pk in set(after) - set(before))
    return changes


def _signed_in(user, language: str) -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _crawl(client: Client, starts: list[str]):
    """Every page reachable by links and htmx gets from `starts`, once per path."""
    queue = deque((url, False) for url in starts)
    seen: set[str] = set()
    while queue and len(seen) < PAGE_LIMIT:
        url, htmx = queue.popleft()
        path = urlsplit(url).path
        if path in seen or not _followed(url):
            continue
        seen.add(path)
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(url, headers=headers)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        yield url, response, html
        queue.extend((urljoin(url, link), is_htmx) for link, is_htmx in _links(html))


def _matching_html_forms(html: str, form: forms.BaseModelForm):
    names = {field.html_name for field in form}
    return [f for f in browser_forms(html) if f.method == "post" and names <= f.names]


def _round_trip(client, url, html, form, html_form) -> list[str]:
    model = type(form.instance)
    before = _rows(model)
    action = urljoin(url, html_form.action) if html_form.action else url
    response = client.post(
        action,
        urlencode(html_form.submission()),
        content_type="application/x-www-form-urlencoded",
    )
    problems = []
    if response.status_code not in (302, 303):
        errors = [
            f"{name}: {list(errs)}"
            for bound in _context_forms_bound(response)
            for name, errs in bound.errors.items()
        ]
        problems.append(f"answered {response.status_code}, not a redirect; errors {errors}")
    problems.extend(_differences(before, _rows(model)))
    return problems


def _context_forms_bound(response) -> list[forms.BaseForm]:
    contexts = response.context or []
    if not isinstance(contexts, list):
        contexts = [contexts]
    found = []
    for context in contexts:
        for layer in context.dicts:
            for value in layer.values():
                values = value.values() if isinstance(value, dict) else [value]
                found.extend(v for v in values if isinstance(v, forms.BaseForm) and v.is_bound)
    return found


def _starts(world) -> list[str]:
    starts = ["/"]
    for project in world["projects"]:
        starts.append(project.get_absolute_url())
        starts.extend(task.get_absolute_url() for task in project.tasks.all())
        starts.extend(review.get_absolute_url() for review in project.reviews.all())
        starts.append(project.customer.get_absolute_url())
    return starts


def _walk_and_submit(world, who: str, language: str) -> tuple[set[str], list[str], list[str]]:
    client = _signed_in(world[who], language)
    covered: set[str] = set()
    failures: list[str] = []
    rejected: list[str] = []
    done: set[tuple[str, str]] = set()
    for url, response, html in _crawl(client, _starts(world)):
        rejected.extend(
            f"{url}: <input type={c.type} name={c.name} value={c.value!r}>"
            for c in rejected_inputs(html)
        )
        for form in _context_forms(response):
            for html_form in _matching_html_forms(html, form):
                key = (type(form).__name__, html_form.action or url)
                if key in done:
                    continue
                done.add(key)
                covered.add(type(form).__name__)
                problems = _round_trip(client, url, html, form, html_form)
                failures.extend(f"{key[0]} on {url} → {key[1]}: {p}" for p in problems)
    return covered, failures, rejected


def _our_model_forms() -> set[str]:
    ours = set()
    stack = list(forms.ModelForm.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in OUR_APPS:
            ours.add(cls.__name__)
    return ours


LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("who", ["director", "owner"])
def test_every_edit_form_submits_what_it_rendered_unchanged(world, who, language):
    covered, failures, _rejected = _walk_and_submit(world, who, language)
    assert covered, "no edit form was found: the crawl is broken"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_input_carries_a_value_the_browser_keeps(world, language):
    _covered, _failures, rejected = _walk_and_submit(world, "director", language)
    assert not rejected, "\n".join(sorted(set(rejected)))


def test_every_model_form_is_round_tripped(world):
    """A new ModelForm is covered without touching this module — or this test says it is not."""
    covered, _failures, _rejected = _walk_and_submit(world, "director", "zh-hans")
    assert apps.is_installed("projects")
    missing = _our_model_forms() - covered - set(CREATE_ONLY)
    assert not missing, f"edit forms never found on a page: {sorted(missing)}"
    assert not (covered & set(CREATE_ONLY)), "a create-only form has an edit page now"
    # The forms found: the figure the README and the closing note quote.
    print(f"round-tripped {len(covered)} edit forms: {sorted(covered)}")
