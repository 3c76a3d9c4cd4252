"""The import page: upload, preview every row with its errors, confirm (all or nothing), and
the template file to fill in.

The rows read from the upload wait in the session between preview and confirmation, so what is
confirmed is what was previewed, never anything the browser sends back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import can_create_project
from ..exports import Column, export_response
from ..imports import (
    COLUMNS,
    ImportFileError,
    ImportUploadForm,
    import_file_read,
    import_rows,
    template_row,
)
from .exports import export_format

SESSION_KEY = "projects_import_rows"


def _may_import(request: HttpRequest) -> None:
    if not can_create_project(request.user):
        raise PermissionDenied


def _page(request: HttpRequest, form: ImportUploadForm, result=None) -> HttpResponse:
    context = {"form": form, "result": result, "columns": COLUMNS}
    return render(request, "projects/import.html", context)


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    _may_import(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _page(request, form)
    request.session.pop(SESSION_KEY, None)
    try:
        rows = import_file_read(form.cleaned_data["file"])
    except ImportFileError as error:
        form.add_error("file", error.message)
        return _page(request, form)
    result = import_rows(rows=rows, actor=request.user, commit=False)
    if not result.error_count:
        request.session[SESSION_KEY] = rows
    return _page(request, ImportUploadForm(), result)


@login_required
@require_POST
def import_confirm_view(request: HttpRequest) -> HttpResponse:
    _may_import(request)
    # Taken out before the import, so a second click of the button finds nothing to import.
    rows = request.session.pop(SESSION_KEY, None)
    request.session.save()
    if not rows:
        messages.error(request, _("Upload the file again: there is nothing waiting to import."))
        return redirect("projects:import")
    result = import_rows(rows=rows, actor=request.user, commit=True)
    if not result.imported:
        # The data changed since the preview (e.g. someone added the same customer).
        return _page(request, ImportUploadForm(), result)
    projects = sum(1 for row in result.rows if row.project)
    customers = sum(1 for row in result.rows if row.customer_created)
    messages.success(
        request,
        _("Imported %(projects)d projects and %(customers)d new customers.")
        % {"projects": projects, "customers": customers},
    )
    return redirect("projects:project_list")


@login_required
def import_template_view(request: HttpRequest, fmt: str) -> HttpResponse:
    _may_import(request)
    columns = [Column(column.header, lambda row, key=column.key: row[key]) for column in COLUMNS]
    return export_response(
        columns=columns,
        rows=[template_row(request.user)],
        name="import-template",
        fmt=export_format(fmt),
    )
