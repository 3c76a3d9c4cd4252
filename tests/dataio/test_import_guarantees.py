"""What an import guarantees: a preview is imported once however often (and however
concurrently) it is confirmed — the database says so, not the session; a row that repeats an
open project is flagged in the preview and not imported again; an export imports as it is;
an unknown owner's error names them."""

import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from customers.models import Customer
from projects.models import Currency, Project, ReviewCadence
from tests.dataio.test_imports import confirm_form, csv_file, errors, preview
from tests.factories import CustomerFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


ROWS = [
    ["Harbour Group", "manufacturing", "east", "Harbour ERP", "", "500000", "CNY"],
    ["Harbour Group", "", "", "Harbour CRM", "", "", ""],
]


# --- (a) one import per preview, guarded by the database ----------------------------------------
def test_the_same_confirm_posted_twice_imports_once(client, manager):
    client.force_login(manager)
    shown = preview(client, csv_file(ROWS))
    data = confirm_form(shown)

    first = client.post(reverse("dataio:import_confirm"), data)
    second = client.post(reverse("dataio:import_confirm"), data)

    assert first.status_code == second.status_code == 302
    assert Project.objects.count() == 2


def test_a_confirm_replayed_in_a_new_session_imports_nothing_more(client, manager):
    """The guard is not the session: a stale tab, or the session restored, still finds the
    preview imported."""
    client.force_login(manager)
    data = confirm_form(preview(client, csv_file(ROWS)))
    saved = dict(client.session.items())
    client.post(reverse("dataio:import_confirm"), data)

    other = Client()
    other.force_login(manager)
    session = other.session
    session.update(saved)  # the session as it was before the first confirm
    session.save()
    response = other.post(reverse("dataio:import_confirm"), data, follow=True)

    assert Project.objects.count() == 2
    assert "already been imported" in response.content.decode()


def test_someone_else_cannot_confirm_my_preview(client, manager, director):
    client.force_login(manager)
    data = confirm_form(preview(client, csv_file(ROWS)))

    client.force_login(director)
    client.post(reverse("dataio:import_confirm"), data)

    assert not Project.objects.exists()


def tab_like(browser: Client, user) -> Client:
    """Another signed-in tab holding what `browser`'s session holds now (the preview), as a
    second window or a restored session does: the session cannot tell the two apart."""
    tab = Client()
    tab.force_login(user)
    session = tab.session
    session.update({k: v for k, v in browser.session.items() if not k.startswith("_auth")})
    session.save()
    return tab


def _waiting_on_locks(other_pid: int) -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND pid <> %s AND datname = current_database()",
            [other_pid],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_confirms_at_once_import_once(require_postgres, manager):
    """Two requests confirm the same preview at the same moment (a double click, two tabs).
    The customer table is held locked until both requests are inside the import and waiting,
    so neither can finish before the other has started: only the database can keep the
    second from importing again."""
    CustomerFactory(name="Harbour Group")  # so the projects are all there is to write
    browser = Client()
    browser.force_login(manager)
    data = confirm_form(preview(browser, csv_file(ROWS)))
    tabs = [tab_like(browser, manager) for _ in range(2)]
    answers: list[int] = []

    def confirm_once(tab: Client) -> None:
        try:
            answers.append(tab.post(reverse("dataio:import_confirm"), data).status_code)
        finally:
            connection.close()

    locker = connections.create_connection("default")
    locker.set_autocommit(False)
    with locker.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        locker_pid = cursor.fetchone()[0]
        cursor.execute(f"LOCK TABLE {Customer._meta.db_table} IN ACCESS EXCLUSIVE MODE")
    threads = [threading.Thread(target=confirm_once, args=(tab,)) for tab in tabs]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while _waiting_on_locks(locker_pid) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        both_waiting = _waiting_on_locks(locker_pid) >= 2
    finally:
        locker.rollback()
        locker.close()
    for thread in threads:
        thread.join(timeout=30)

    assert both_waiting, "the two requests did not meet inside the import"
    assert not any(thread.is_alive() for thread in threads)
    assert answers == [302, 302]
    assert Project.objects.count() == 2
    assert Customer.objects.count() == 1


# --- (b) a row repeating an open project ---------------------------------------------------------
def test_a_row_matching_an_open_project_is_flagged_and_not_imported_again(client, manager):
    customer = CustomerFactory(name="Harbour Group")
    existing = ProjectFactory(customer=customer, name="Harbour ERP", owner=manager)
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)

    shown = preview(client, csv_file([["harbour group", "", "", "harbour erp", "", "", ""]]))
    body = shown.content.decode()
    assert "没有可导入的行" in body and 'data-testid="import-confirm"' not in body
    token = shown.context["result"].batch.token
    client.post(reverse("dataio:import_confirm"), {"token": token})  # posted all the same

    assert errors(shown) == [[]]
    assert shown.context["result"].rows[0].duplicate_of == existing
    assert 'data-testid="import-duplicate"' in body
    assert f"重复：已有未关闭的项目 {existing.code}" in body
    assert list(Project.objects.all()) == [existing]


def test_a_project_repeated_within_the_file_is_flagged_once(client, manager):
    client.force_login(manager)
    rows = [ROWS[0], ["HARBOUR GROUP", "", "", "harbour erp", "", "", ""]]

    shown = preview(client, csv_file(rows))
    client.post(reverse("dataio:import_confirm"), confirm_form(shown))

    flagged = [row.duplicate_of is not None for row in shown.context["result"].rows]
    assert flagged == [False, True]
    assert Project.objects.count() == 1


# --- (c) an export imports as it is --------------------------------------------------------------
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_as_it_is(client, director, manager, language, fmt):
    customer = CustomerFactory(name="上海港务集团")
    projects = [
        ProjectFactory(
            customer=customer,
            owner=manager,
            name="港口 ERP",
            estimated_value=4450000,
            currency=Currency.USD,
            review_cadence=ReviewCadence.MONTHLY,
        ),
        ProjectFactory(owner=director, name="Harbour CRM", currency=Currency.EUR),
    ]
    director.language = language
    director.save()
    client.force_login(director)

    exported = client.get(reverse("dataio:project_list_export", args=[fmt]))
    shown = preview(client, SimpleUploadedFile(f"projects.{fmt}", exported.content))

    assert errors(shown) == [[], []]
    rows = shown.context["result"].rows
    assert {row.duplicate_of for row in rows} == set(projects)
    # Every row repeats an open project: nothing is offered, nothing said to be ready.
    body = shown.content.decode()
    assert 'data-testid="import-nothing-new"' in body
    assert 'data-testid="import-confirm"' not in body
    assert 'data-testid="import-ready"' not in body
    assert "4,450,000.00" in body  # the amount as every other page shows it


def test_the_preview_counts_only_the_rows_it_will_import(client, manager):
    ProjectFactory(customer=CustomerFactory(name="Harbour Group"), name="Harbour ERP")
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)

    shown = preview(client, csv_file(ROWS))

    body = shown.content.decode()
    ready = body.split('data-testid="import-ready">', 1)[1].split("</span>", 1)[0]
    assert "1" in ready and "2" not in ready
    assert 'data-testid="import-confirm"' in body


def test_an_exported_project_imports_with_its_owner_currency_and_cadence(client, director, manager):
    """The same file, the projects closed meanwhile (so nothing repeats an open project):
    the import recreates them as they were exported."""
    project = ProjectFactory(
        owner=manager,
        name="港口 ERP",
        estimated_value=4450000,
        currency=Currency.HKD,
        review_cadence=ReviewCadence.FORTNIGHTLY,
    )
    director.language = "zh-hans"
    director.save()
    client.force_login(director)
    exported = client.get(reverse("dataio:project_list_export", args=["xlsx"]))
    Project.objects.filter(pk=project.pk).update(stage="closed", outcome="lost")

    shown = preview(client, SimpleUploadedFile("projects.xlsx", exported.content))
    client.post(reverse("dataio:import_confirm"), confirm_form(shown))

    assert errors(shown) == [[]]
    copy = Project.objects.exclude(pk=project.pk).get()
    assert (copy.name, copy.owner, copy.customer) == ("港口 ERP", manager, project.customer)
    assert (copy.currency, copy.estimated_value) == (Currency.HKD, project.estimated_value)
    assert copy.review_cadence == ReviewCadence.FORTNIGHTLY


# --- (d) an unknown owner ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("zh-hans", "没有用户名为“nobody”的用户。"),
        ("en", "There is no user with the username “nobody”."),
    ],
)
def test_an_unknown_owner_is_named_in_the_error(client, director, language, message):
    director.language = language
    director.save()
    client.force_login(director)

    shown = preview(client, csv_file([["Harbour", "finance", "east", "ERP", "nobody", "", ""]]))

    assert [text for _label, text in errors(shown)[0]] == [message]
    assert message in shown.content.decode()


def test_a_sales_manager_reimports_their_own_export(client, manager):
    """The export names the owner as people read it; for a manager that is themself."""
    project = ProjectFactory(owner=manager, name="Harbour CRM")
    client.force_login(manager)
    exported = client.get(reverse("dataio:project_list_export", args=["csv"]))
    Project.objects.filter(pk=project.pk).update(stage="closed", outcome="won")

    shown = preview(client, SimpleUploadedFile("projects.csv", exported.content))
    client.post(reverse("dataio:import_confirm"), confirm_form(shown))

    assert errors(shown) == [[]]
    assert Project.objects.exclude(pk=project.pk).get().owner == manager


def test_an_owner_name_two_people_share_asks_for_the_username(client, director):
    for username in ("wanglei", "wanglei2"):
        UserFactory(username=username, full_name="王磊", role=Role.SALES_MANAGER)
    client.force_login(director)

    shown = preview(client, csv_file([["Harbour", "finance", "east", "ERP", "王磊", "", ""]]))

    assert errors(shown)[0] == [
        ("Owner", "More than one person is called “王磊”; give the username.")
    ]
