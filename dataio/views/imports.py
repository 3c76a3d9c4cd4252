"""The import page: upload, preview every row with its errors, confirm (all or nothing, once),
and the template file to fill in.

A preview without errors waits in the database (`ImportBatch`); the confirm button sends only
its token, so what is imported is what was previewed, never anything the browser sends back,
and a preview is imported once however often the button is pressed (see `dataio.imports`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dataio.exports import Column, export_response
from dataio.imports import (
    COLUMNS,
    ImportFileError,
    ImportNotWaiting,
    ImportUploadForm,
    import_batch_confirm,
    import_file_read,
    import_preview,
    template_row,
)
from dataio.views.exports import export_format
from projects.access import can_create_project


def _may_import(request: HttpRequest) -> None:
    if not can_create_project(request.user):
        raise PermissionDenied


def _page(request: HttpRequest, form: ImportUploadForm, result=None) -> HttpResponse:
    context = {"form": form, "result": result, "columns": COLUMNS}
    return render(request, "dataio/import.html", context)


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    _may_import(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _page(request, form)
    try:
        rows = import_file_read(form.cleaned_data["file"])
    except ImportFileError as error:
        form.add_error("file", error.message)
        return _page(request, form)
    result = import_preview(rows=rows, actor=request.user)
    return _page(request, ImportUploadForm(), result)


@login_required
@require_POST
def import_confirm_view(request: HttpRequest) -> HttpResponse:
    _may_import(request)
    try:
        result = import_batch_confirm(token=request.POST.get("token", ""), actor=request.user)
    except ImportNotWaiting as refused:
        if refused.batch is None:
            messages.error(request, _("Upload the file again: there is nothing waiting to import."))
            return redirect("dataio:import")
        when = formats.date_format(timezone.localtime(refused.batch.imported_at), "H:i")
        messages.info(
            request,
            _("This file has already been imported (at %(time)s); nothing more was imported.")
            % {"time": when},
        )
        return redirect("projects:project_list")
    if not result.imported:
        # The data changed since the preview (e.g. someone added the same customer).
        return _page(request, ImportUploadForm(), result)
    messages.success(
        request,
        _("Imported %(projects)d projects and %(customers)d new customers.")
        % {"projects": result.batch.projects_created, "customers": result.batch.customers_created},
    )
    if result.duplicate_count:
        messages.info(
            request,
            _("Skipped %(count)d rows that repeat an open project.")
            % {"count": result.duplicate_count},
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
