"""Import of customers and projects from a CSV or Excel file: all rows or none.

A row names a customer (found by name, or created from the row's customer columns if it is
neither in the database nor earlier in the file) and, if it has a project name, a project of
that customer. Rows are checked by the customer and project forms and written by
`customer_save` and `project_create`, so an imported project gets its code and its owner's
membership like one opened on the page. The preview runs the same import inside a transaction
that is rolled back; the confirmation runs it again and keeps it only if every row passes.

What it guarantees:
- *Once per preview.* A preview without errors is an `ImportBatch` row (its rows, their
  checksum, a token). Confirming locks that row (`select_for_update`) in the transaction that
  imports and stamps `imported_at` in it: a second confirm — a double click, two tabs, two
  requests at the same instant — waits for the first and then finds it imported.
- *No open project twice.* A row whose customer and project name (case-insensitive) are those
  of an open project — in the database or earlier in the file — is flagged as a duplicate in
  the preview and skipped.
- *Exports import as they are.* The project list's export headers and values (the project's
  "name", the owner's name, choice labels in either language) are read like the template's.
"""

import csv
import datetime
import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from accounts.models import User
from core.numbers import format_amount
from core.text import no_control_characters
from customers.forms import CustomerForm
from customers.models import Customer, CustomerSize, Industry, Region
from customers.services import customer_save
from dataio.models import ImportBatch
from projects.access import possible_owners
from projects.forms import ProjectForm
from projects.models import Currency, Project, ReviewCadence
from projects.services import project_create

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
# An XLSX is a zip: 2 MB of it can unpack to gigabytes, and a sheet can declare millions of
# empty rows. What a 2,000-row file needs is far below both bounds; past them we refuse before
# parsing (the unpacked size, read from the zip's directory, which the reader enforces) or
# while reading (rows, empty ones included).
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_ROWS_READ = 5 * MAX_ROWS
MAX_COLUMNS_READ = 50


@dataclass(frozen=True)
class ImportColumn:
    key: str
    header: str | Promise
    choices: type[models.TextChoices] | None = None
    # Other headers read as this column: those of the project list's export.
    aliases: tuple[str | Promise, ...] = ()


def _label(model: type[models.Model], name: str) -> str | Promise:
    return model._meta.get_field(name).verbose_name


CUSTOMER_FIELDS = ["industry", "region", "size", "website"]
AMOUNT_COLUMNS = frozenset({"estimated_value"})
PROJECT_FIELDS = ["estimated_value", "currency", "expected_close_date", "review_cadence"]
COLUMNS = [
    ImportColumn("customer", _label(Project, "customer")),
    ImportColumn("industry", _label(Customer, "industry"), Industry),
    ImportColumn("region", _label(Customer, "region"), Region),
    ImportColumn("size", _label(Customer, "size"), CustomerSize),
    ImportColumn("website", _label(Customer, "website")),
    ImportColumn("project", Project._meta.verbose_name, aliases=(_label(Project, "name"),)),
    ImportColumn("owner", _label(Project, "owner")),
    ImportColumn("estimated_value", _label(Project, "estimated_value")),
    ImportColumn("currency", _label(Project, "currency"), Currency),
    ImportColumn("expected_close_date", _label(Project, "expected_close_date")),
    ImportColumn("review_cadence", _label(Project, "review_cadence"), ReviewCadence),
    ImportColumn("background", _label(Project, "background")),
]


class ImportFileError(Exception):
    """A file that cannot be imported at all (too big, wrong kind, unreadable, no rows)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or Excel file"))


# --- reading the file --------------------------------------------------------------------------
def _in_every_language(text: str | Promise) -> set[str]:
    names = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(str(text).strip().lower())
    return names


def _header_keys() -> dict[str, str]:
    """Header text (in any of our languages, or the column's key) → column key."""
    keys = {}
    for column in COLUMNS:
        headers = [column.header, *column.aliases]
        for name in {column.key, *(n for h in headers for n in _in_every_language(h))}:
            keys[name] = column.key
    return keys


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_lines(content: bytes) -> list[list[str]]:
    # Excel saves CSV in the system's code page, which for Chinese Windows is GB18030.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return list(csv.reader(io.StringIO(text, newline="")))
    raise ImportFileError(_("The file is not UTF-8 or GB18030 text."))


def _too_many_rows() -> ImportFileError:
    return ImportFileError(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})


def _xlsx_lines(content: bytes) -> list[list]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if sum(member.file_size for member in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise ImportFileError(
                _("The file unpacks to more than %(max)d MB; save it again with only the rows.")
                % {"max": MAX_UNPACKED_BYTES // (1024 * 1024)}
            )
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        lines = []
        for read, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS_READ, values_only=True)):
            if read >= MAX_ROWS_READ:  # empty rows count: a sheet may declare millions
                raise _too_many_rows()
            if any(value not in (None, "") for value in row):
                lines.append(list(row))
            if len(lines) > MAX_ROWS + 1:  # the header and one row too many are enough to say no
                break
        return lines
    finally:
        workbook.close()


def import_file_read(upload: UploadedFile) -> list[dict[str, str]]:
    """The rows of an uploaded CSV or XLSX file as {column key: text}; ImportFileError if the
    file is too big, of another kind, unreadable, or has no known header or no rows."""
    if upload.size > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 2 MB."))
    name = (upload.name or "").lower()
    content = upload.read()
    try:
        if name.endswith(".csv"):
            lines = _csv_lines(content)
        elif name.endswith(".xlsx"):
            lines = _xlsx_lines(content)
        else:
            raise ImportFileError(_("Upload a .csv or .xlsx file."))
    except ImportFileError:
        raise
    except Exception:  # openpyxl and zipfile raise many kinds on a damaged file
        raise ImportFileError(_("The file could not be read; is it a damaged file?")) from None
    lines = [[_cell(value) for value in line] for line in lines]
    lines = [line for line in lines if any(line)]
    if not lines:
        raise ImportFileError(_("The file is empty."))
    known = _header_keys()
    keys = [known.get(header.strip().lower()) for header in lines[0]]
    if "customer" not in keys:
        raise ImportFileError(_("The first row must be the header row of the template."))
    rows = lines[1:]
    if not rows:
        raise ImportFileError(_("The file has a header but no rows."))
    if len(rows) > MAX_ROWS:
        raise _too_many_rows()
    return [{key: value for key, value in zip(keys, line, strict=False) if key} for line in rows]


# --- checking and writing ----------------------------------------------------------------------
@dataclass
class RowResult:
    number: int  # as the spreadsheet numbers it: the header is row 1
    values: dict[str, str]
    errors: list[tuple[str, str]] = field(default_factory=list)
    customer_created: bool = False
    project: Project | None = None
    # An open project with this customer and name: the row is flagged and skipped.
    duplicate_of: Project | None = None
    duplicate_row: int | None = None  # when that project is an earlier row of the file

    @property
    def cells(self) -> list[str]:
        """The row as the preview shows it: amounts grouped as everywhere else, the rest (and
        an amount that is not a number, so its error can be read) as written."""
        cells = []
        for column in COLUMNS:
            value = self.values.get(column.key, "")
            if column.key in AMOUNT_COLUMNS:
                value = format_amount(value) or value
            cells.append(value)
        return cells


@dataclass
class ImportResult:
    rows: list[RowResult]
    imported: bool
    batch: ImportBatch | None = None

    @property
    def error_count(self) -> int:
        return sum(len(row.errors) for row in self.rows)

    @property
    def duplicate_count(self) -> int:
        return sum(1 for row in self.rows if row.duplicate_of is not None)

    @property
    def new_count(self) -> int:
        """The rows a confirm would import: neither refused nor repeating an open project."""
        return sum(1 for row in self.rows if row.duplicate_of is None and not row.errors)


@dataclass
class _Run:
    """What one pass over the rows has learnt so far."""

    actor: User
    customers: dict[str, Customer] = field(default_factory=dict)  # created, by lower name
    project_rows: dict[int, int] = field(default_factory=dict)  # project created → its row
    _owners: dict[str, list[User]] | None = None

    def owners_named(self, name: str) -> list[User]:
        """Possible owners whose name people read (as the export writes it) is `name`."""
        if self._owners is None:
            self._owners = {}
            for owner in possible_owners():
                self._owners.setdefault(owner.display_name.lower(), []).append(owner)
        return self._owners.get(name.lower(), [])


def _choice_values(choices: type[models.TextChoices]) -> dict[str, str]:
    values = {}
    for value, label in choices.choices:
        for name in {value.lower(), *_in_every_language(label)}:
            values[name] = value
    return values


def _form_data(values: dict[str, str], names: Iterable[str]) -> dict[str, str]:
    """The row's cells for a form, a choice given by its label turned into its value."""
    columns = {column.key: column for column in COLUMNS}
    data = {}
    for name in names:
        value = values.get(name, "")
        choices = columns[name].choices
        if choices and value:
            value = _choice_values(choices).get(value.lower(), value)
        data[name] = value
    return data


def _errors(form: forms.BaseForm, skip: set[str] = frozenset()) -> list[tuple[str, str]]:
    found = []
    for name, messages in form.errors.items():
        if name in skip:
            continue
        label = str(form.fields[name].label) if name in form.fields else ""
        found.extend((label, str(message)) for message in messages)
    return found


def _customer(values: dict[str, str], run: _Run, result: RowResult) -> Customer | None:
    name = values.get("customer", "").strip()
    known = run.customers.get(name.lower()) or Customer.objects.named(name).first()
    if known is not None:
        return known
    form = CustomerForm(data={"name": name, **_form_data(values, CUSTOMER_FIELDS), "notes": ""})
    if not form.is_valid():
        result.errors += _errors(form)
        return None
    customer = customer_save(customer=form.save(commit=False), actor=run.actor)
    run.customers[customer.name.lower()] = customer
    result.customer_created = True
    return customer


def _owner_error(result: RowResult, message: str) -> None:
    result.errors.append((capfirst(_label(Project, "owner")), message))


def _owner(values: dict[str, str], run: _Run, result: RowResult) -> User | None:
    """The row's owner, given by username or, as the export writes it, by name."""
    actor = run.actor
    name = values.get("owner", "").strip()
    if not name or name == actor.username:
        return actor
    owner = User.objects.filter(username=name).first()
    if owner is None:
        named = run.owners_named(name)
        if len(named) > 1:
            _owner_error(
                result,
                _("More than one person is called “%(name)s”; give the username.") % {"name": name},
            )
            return None
        owner = named[0] if named else None
    if owner == actor:
        return actor
    if not actor.is_director:
        _owner_error(result, _("Only a director may open a project for someone else."))
        return None
    if owner is None:
        _owner_error(
            result, _("There is no user with the username “%(username)s”.") % {"username": name}
        )
    return owner


def _open_duplicate(name: str, customer: Customer | None) -> Project | None:
    if customer is None or customer.pk is None or not name:
        return None
    same = Project.objects.open().filter(customer=customer, name__iexact=name)
    return same.order_by("pk").first()


def _project(values: dict[str, str], customer: Customer | None, run: _Run, result: RowResult):
    actor = run.actor
    owner = _owner(values, run, result)
    data = {
        "name": values.get("project", "").strip(),
        "customer": customer.pk if customer else "",
        "background": values.get("background", ""),
        **_form_data(values, PROJECT_FIELDS),
    }
    if not data["currency"]:
        data["currency"] = Currency.CNY
    if not data["review_cadence"]:
        data["review_cadence"] = ReviewCadence.NONE
    if actor.is_director and owner is not None:
        data["owner"] = owner.pk
    form = ProjectForm(data=data, actor=actor)
    valid = form.is_valid()
    # The customer's own errors are already listed; the form would only add "required".
    result.errors += _errors(form, skip={"customer"} if customer is None else set())
    result.duplicate_of = _open_duplicate(data["name"], customer)
    if result.duplicate_of is not None:
        result.duplicate_row = run.project_rows.get(result.duplicate_of.pk)
        return None
    if valid and not result.errors:
        project = form.save(commit=False)
        result.project = project_create(project=project, actor=actor)
        run.project_rows[result.project.pk] = result.number
    return result.project


def _control_characters(values: dict[str, str], result: RowResult) -> None:
    """A cell holding a control character (a NUL, say) is named; nothing of the row is read."""
    for column in COLUMNS:
        try:
            no_control_characters(values.get(column.key, ""))
        except ValidationError as error:
            result.errors.append((capfirst(str(column.header)), error.messages[0]))


def _row(values: dict[str, str], run: _Run, result: RowResult):
    _control_characters(values, result)
    if result.errors:
        return
    customer = _customer(values, run, result)
    if values.get("project", "").strip():
        _project(values, customer, run, result)


def import_rows(*, rows: list[dict[str, str]], actor: User, commit: bool) -> ImportResult:
    """Check every row by writing it; keep the writes only if `commit` and no row has an
    error, otherwise roll every one of them back."""
    results = [RowResult(number=n, values=values) for n, values in enumerate(rows, start=2)]
    run = _Run(actor=actor)
    with transaction.atomic():
        for result in results:
            try:
                with transaction.atomic():
                    _row(result.values, run, result)
            except (IntegrityError, ValidationError) as error:
                messages = getattr(error, "messages", None) or [_("The row conflicts with data.")]
                result.errors += [("", str(message)) for message in messages]
        imported = commit and not any(result.errors for result in results)
        if not imported:
            transaction.set_rollback(True)
    return ImportResult(rows=results, imported=imported)


# --- preview and confirmation ------------------------------------------------------------------
class ImportNotWaiting(Exception):
    """The confirmed preview is not (or no longer) waiting: unknown, someone else's, or
    imported already (`batch` then says when)."""

    def __init__(self, batch: ImportBatch | None = None) -> None:
        self.batch = batch
        super().__init__(str(batch))


def _checksum(rows: list[dict[str, str]]) -> str:
    text = json.dumps(rows, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def import_preview(*, rows: list[dict[str, str]], actor: User) -> ImportResult:
    """Check the rows without keeping anything; a file without errors waits as an
    ImportBatch (the same one if this file is already waiting) for the confirmation."""
    result = import_rows(rows=rows, actor=actor, commit=False)
    if not result.error_count:
        result.batch, _created = ImportBatch.objects.get_or_create(
            created_by=actor,
            checksum=_checksum(rows),
            imported_at__isnull=True,
            defaults={"rows": rows},
        )
    return result


def import_batches_waiting(actor: User) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(created_by=actor, imported_at__isnull=True)


@transaction.atomic
def import_batch_confirm(*, token: str, actor: User) -> ImportResult:
    """Import the waiting preview `token` of `actor`, once: ImportNotWaiting if there is no
    such preview or it has been imported already."""
    # The row lock makes a second confirm of the same preview, sent at the same moment,
    # wait here until the first commits — and then find `imported_at` set.
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        raise ImportNotWaiting() from None
    batch = ImportBatch.objects.select_for_update().filter(token=token, created_by=actor).first()
    if batch is None or batch.imported_at is not None:
        raise ImportNotWaiting(batch)
    result = import_rows(rows=batch.rows, actor=actor, commit=True)
    result.batch = batch
    if result.imported:
        batch.imported_at = timezone.now()
        batch.projects_created = sum(1 for row in result.rows if row.project)
        batch.customers_created = sum(1 for row in result.rows if row.customer_created)
        batch.save(update_fields=["imported_at", "projects_created", "customers_created"])
    return result


# --- the template ------------------------------------------------------------------------------
def template_row(actor: User) -> dict[str, object]:
    """An example row, in the reader's language, that imports as it stands."""
    return {
        "customer": _("Example Customer Ltd"),
        "industry": Industry.MANUFACTURING.label,
        "region": Region.EAST.label,
        "size": CustomerSize.LARGE.label,
        "website": "https://example.com",
        "project": _("Example ERP roll-out"),
        "owner": actor.username,
        "estimated_value": 500000,
        "currency": Currency.CNY.value,
        "expected_close_date": timezone.localdate() + datetime.timedelta(days=90),
        "review_cadence": ReviewCadence.MONTHLY.label,
        "background": _("The customer is replacing its ageing ERP."),
    }


def import_batches_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete previews nobody confirmed within a day (an imported batch stays: it is the record
    that the file was imported, once)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=1)
    deleted, _ = ImportBatch.objects.filter(
        imported_at__isnull=True, created_at__lt=cutoff
    ).delete()
    return deleted
