"""Posting, correcting and removing comments on a project or one of its tasks."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from projects.access import can_edit_project, get_project_for_user
from projects.models import Project

from .. import access
from ..forms import CommentForm
from ..models import COMMENT_EDIT_WINDOW_MINUTES, Comment, Task
from ..selectors import comments_of, mention_candidates
from ..services import comment_delete, comment_edit, comment_editable_until, comment_post


def comment_form_context(
    request: HttpRequest, project: Project, *, task: Task | None = None, form=None
) -> dict:
    """What the comment thread needs besides the comments: the form and who can be
    mentioned (for the autocomplete)."""
    can_comment = access.can_comment(request.user, project)
    return {
        "can_comment": can_comment,
        "comment_form": form or CommentForm(),
        "mention_candidates": mention_candidates(project) if can_comment else [],
        "comment_task": task,
        "can_manage_comments": can_edit_project(request.user, project),
        # Comments posted after this moment may still be edited by their author.
        "edit_cutoff": timezone.now() - timedelta(minutes=COMMENT_EDIT_WINDOW_MINUTES),
    }


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _where(project: Project, task: Task | None) -> str:
    return (task.get_absolute_url() if task else project.get_absolute_url()) + "#comments"


@login_required
@require_POST
def comment_post_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    task = None
    if request.POST.get("task"):
        task = get_object_or_404(Task, pk=_int(request.POST["task"]), project=project)
    if not access.can_comment(request.user, project):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment_post(
                project=project, task=task, actor=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Comment posted."))
            return redirect(_where(project, task))
    context = {
        "project": project,
        "task": task,
        "comments": list(comments_of(project, task)),
        **comment_form_context(request, project, task=task, form=form),
    }
    return render(request, "collaboration/comment_form_page.html", context, status=400)


@login_required
def comment_edit_view(request: HttpRequest, pk: int, comment: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    record = get_object_or_404(Comment, pk=comment, project=project, deleted_at__isnull=True)
    if not access.can_change_comment(request.user, record):
        raise PermissionDenied
    form = CommentForm(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        try:
            comment_edit(comment=record, actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            record.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, _("Comment updated."))
            return redirect(_where(project, record.task))
    context = {
        "project": project,
        "comment": record,
        "form": form,
        "editable_until": comment_editable_until(record),
    }
    return render(request, "collaboration/comment_edit.html", context)


@login_required
@require_POST
def comment_delete_view(request: HttpRequest, pk: int, comment: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    record = get_object_or_404(Comment, pk=comment, project=project, deleted_at__isnull=True)
    comment_delete(comment=record, actor=request.user)
    messages.success(request, _("Comment deleted."))
    return redirect(_where(project, record.task))
