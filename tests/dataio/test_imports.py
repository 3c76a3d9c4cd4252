"""Import of customers and projects: the preview lists every row's errors in the reader's
language, one bad row imports nothing, a good file imports every row through the services,
the template downloads and imports as it is, and bad files are refused cleanly."""

import csv
import io
from html.parser import HTMLParser

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from customers.models import Customer
from dataio.imports import MAX_ROWS
from projects.models import Project, ProjectMembership
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = ["customer", "industry", "region", "project", "owner", "estimated_value", "currency"]


def csv_file(rows: list[list[str]], header=HEADER, name: str = "import.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, ("\ufeff" + out.getvalue()).encode(), "text/csv")


def xlsx_file(rows: list[list], header=HEADER) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("import.xlsx", out.getvalue())


class ConfirmForm(HTMLParser):
    """The fields of the preview's confirm form, as the browser would post them."""

    def __init__(self) -> None:
        super().__init__()
        self.found = False
        self.inside = False
        self.data: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("action") == reverse("dataio:import_confirm"):
            self.found = self.inside = True
        elif tag == "input" and self.inside and attrs.get("name"):
            self.data[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def confirm_form(response) -> dict[str, str]:
    """What pressing the preview's Import button posts (no form, no button: an assertion)."""
    parser = ConfirmForm()
    parser.feed(response.content.decode())
    assert parser.found, "the preview offers no confirm form"
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


def preview(client, upload):
    """Upload a file; the client remembers the confirm form it was shown, as a page does."""
    response = client.post(reverse("dataio:import"), {"file": upload})
    offered = 'data-testid="import-confirm"' in response.content.decode()
    client.import_confirm = confirm_form(response) if offered else {}
    return response


def confirm(client):
    return client.post(reverse("dataio:import_confirm"), getattr(client, "import_confirm", {}))


def errors(response) -> list[list[tuple[str, str]]]:
    return [row.errors for row in response.context["result"].rows]


GOOD_ROWS = [
    ["Harbour Group", "manufacturing", "east", "Harbour ERP", "", "500000", "CNY"],
    ["harbour group", "", "", "Harbour CRM", "", "", ""],
    ["Lonely Customer Ltd", "finance", "north", "", "", "", ""],
]


def test_good_file_imports_every_row_with_codes_and_owner_memberships(client, manager):
    client.force_login(manager)

    shown = preview(client, csv_file(GOOD_ROWS))
    assert errors(shown) == [[], [], []]
    assert not Customer.objects.exists()  # the preview writes nothing
    response = confirm(client)

    assert response.status_code == 302
    projects = Project.objects.order_by("code")
    assert [p.name for p in projects] == ["Harbour ERP", "Harbour CRM"]
    assert all(p.code.startswith("SP-") for p in projects)
    assert {p.customer.name for p in projects} == {"Harbour Group"}
    assert all(p.owner == manager for p in projects)
    assert ProjectMembership.objects.filter(user=manager, role="owner").count() == 2
    assert set(Customer.objects.values_list("name", flat=True)) == {
        "Harbour Group",
        "Lonely Customer Ltd",
    }


def test_existing_customer_is_found_by_name(client, manager):
    customer = CustomerFactory(name="Harbour Group")
    client.force_login(manager)

    preview(client, csv_file([["HARBOUR GROUP", "", "", "Harbour ERP", "", "", ""]]))
    confirm(client)

    assert Project.objects.get().customer == customer
    assert Customer.objects.count() == 1


def test_one_bad_row_imports_nothing(client, manager):
    client.force_login(manager)
    rows = [*GOOD_ROWS, ["New Co", "no-such-industry", "east", "New deal", "", "-5", "CNY"]]

    response = preview(client, csv_file(rows))
    confirmed = confirm(client)

    assert [bool(e) for e in errors(response)] == [False, False, False, True]
    assert 'data-testid="import-confirm"' not in response.content.decode()
    assert confirmed.status_code == 302
    assert not Project.objects.exists()
    assert not Customer.objects.exists()


def test_preview_lists_row_errors_in_chinese_for_a_zh_user(client, manager):
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)

    response = preview(client, csv_file([["新客户", "", "east", "新项目", "", "", ""]]))

    body = response.content.decode()
    assert ("行业", "该字段是必填项。") in errors(response)[0]
    assert "行业: 该字段是必填项。" in body


def test_chinese_labels_are_read_as_choices(client, director, manager):
    client.force_login(director)
    header = ["客户", "行业", "区域", "销售项目", "负责人"]

    response = preview(
        client, csv_file([["上海港务", "制造业", "华东", "港口 ERP", manager.username]], header)
    )
    confirm(client)

    assert errors(response) == [[]]
    project = Project.objects.get()
    assert (project.name, project.owner, project.customer.industry) == (
        "港口 ERP",
        manager,
        "manufacturing",
    )


def test_unknown_owner_is_a_row_error(client, director):
    client.force_login(director)

    response = preview(client, csv_file([["Harbour", "finance", "east", "ERP", "nobody", "", ""]]))

    assert errors(response)[0] == [("Owner", "There is no user with the username “nobody”.")]


def test_manager_cannot_open_projects_for_someone_else(client, manager, director):
    client.force_login(manager)

    response = preview(
        client, csv_file([["Harbour", "finance", "east", "ERP", director.username, "", ""]])
    )

    assert errors(response)[0] == [
        ("Owner", "Only a director may open a project for someone else.")
    ]


def test_xlsx_file_imports(client, manager):
    client.force_login(manager)

    preview(client, xlsx_file([["Harbour", "finance", "east", "ERP", None, 1000, "CNY"]]))
    confirm(client)

    assert Project.objects.get().estimated_value == 1000


def test_confirm_without_a_preview_imports_nothing(client, manager):
    client.force_login(manager)

    response = confirm(client)

    assert response.status_code == 302
    assert not Project.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_downloads_and_imports_as_it_is(client, manager, fmt):
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)

    template = client.get(reverse("dataio:import_template", args=[fmt]))
    upload = SimpleUploadedFile(f"template.{fmt}", template.content)
    response = preview(client, upload)
    confirm(client)

    assert "attachment" in template["Content-Disposition"]
    assert errors(response) == [[]]
    assert Project.objects.get().owner == manager


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("notes.txt", b"hello"), "Upload a .csv or .xlsx file."),
        (SimpleUploadedFile("broken.xlsx", b"not a zip"), "damaged"),
        (SimpleUploadedFile("empty.csv", b""), "empty"),
        (SimpleUploadedFile("other.csv", b"a,b\n1,2\n"), "header row"),
        (SimpleUploadedFile("big.csv", b"x" * (2 * 1024 * 1024 + 1)), "2 MB"),
    ],
)
def test_bad_files_are_refused_cleanly(client, manager, upload, message):
    client.force_login(manager)

    response = preview(client, upload)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])


def test_too_many_rows_are_refused(client, manager):
    client.force_login(manager)
    rows = [["Harbour", "finance", "east", "", "", "", ""]] * (MAX_ROWS + 1)

    response = preview(client, csv_file(rows))

    assert "more than 2000 rows" in response.context["form"].errors["file"][0]


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_only_directors_and_sales_managers_import(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("dataio:import")).status_code == 403
    assert client.get(reverse("dataio:import_template", args=["csv"])).status_code == 403


def test_director_may_import(client):
    client.force_login(UserFactory(role=Role.DIRECTOR))

    assert client.get(reverse("dataio:import")).status_code == 200


def test_project_list_links_to_the_import_for_those_who_may(client, manager, member):
    client.force_login(manager)
    assert reverse("dataio:import") in client.get(reverse("projects:project_list")).content.decode()

    client.force_login(member)
    assert (
        reverse("dataio:import")
        not in client.get(reverse("projects:project_list")).content.decode()
    )


def test_second_confirm_imports_nothing_more(client, manager):
    client.force_login(manager)
    preview(client, csv_file(GOOD_ROWS))

    confirm(client)
    confirm(client)

    assert Project.objects.count() == 2


def test_confirm_rechecks_rows_and_imports_nothing_if_one_fails_now(client, director, manager):
    client.force_login(director)
    rows = [
        ["Harbour Group", "finance", "east", "Harbour ERP", "", "", ""],
        ["Harbour Group", "", "", "Harbour CRM", manager.username, "", ""],
    ]
    preview(client, csv_file(rows))
    manager.groups.clear()  # no longer a sales manager: cannot own a project now

    response = confirm(client)

    assert errors(response)[1][0][0] == "Owner"
    assert not Project.objects.exists()
    assert not Customer.objects.exists()
