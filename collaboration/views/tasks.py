"""Task pages: the list with filters, the kanban, My tasks, the task page and its forms.

Status and progress change in one click from every view (htmx swaps the row, card or board;
without JavaScript the same form posts and comes back)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Window
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from core.pagination import KeysPaginator
from projects.access import get_project_for_user
from projects.models import Strategy, open_project

from .. import access
from ..filters import PortfolioTaskFilter, TaskFilter
from ..forms import TaskForm, TaskProgressForm
from ..models import Task, TaskStatus
from ..selectors import comments_of, my_tasks, overdue_first, tasks_with_people
from ..services import strategy_actions_to_tasks, task_delete, task_save, task_update_progress
from .comments import comment_form_context

# What a one-click update re-renders for htmx, by the `view` it came from.
KANBAN_DONE_SHOWN = 20
PARTIALS = {
    "my": "collaboration/_my_task_row.html",
    "list": "collaboration/_task_row.html",
    "kanban": "collaboration/_kanban.html",
}


def _task(request: HttpRequest, pk: int, task: int):
    project = get_project_for_user(request.user, pk)
    return project, get_object_or_404(
        Task.objects.select_related("project"), pk=task, project=project
    )


@login_required
def task_list_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    filterset = TaskFilter(request.GET, queryset=project.tasks.all(), project=project)
    tasks = filterset.qs if filterset.is_valid() else Task.objects.none()
    page = KeysPaginator(overdue_first(tasks_with_people(tasks)), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "project": project,
        "filter": filterset,
        "page": page,
        "can_manage": access.can_manage_tasks(request.user, project),
        "statuses": TaskStatus.choices,
        "view": "list",
    }
    template = "collaboration/_task_table.html" if request.htmx else "collaboration/task_list.html"
    return render(request, template, context)


def _kanban_context(request: HttpRequest, project) -> dict:
    # The cards show no dependencies: people and department joined, nothing prefetched. Work in
    # flight in full; of the done, the latest finished — a long project's done column held 245
    # of its 300 cards — with the count and a link to all of them in the task list.
    tasks = project.tasks.select_related("assignee", "department")
    in_flight = list(tasks.exclude(status=TaskStatus.DONE).order_by("priority", "due_date", "id"))
    done = list(
        tasks.filter(status=TaskStatus.DONE)
        .annotate(total=Window(Count("id")))  # counted before the LIMIT, in the same query
        .order_by(F("completed_at").desc(nulls_last=True), "-id")[:KANBAN_DONE_SHOWN]
    )
    done_total = done[0].total if done else 0
    columns = []
    for status, label in TaskStatus.choices:
        if status == TaskStatus.DONE:
            columns.append((status, label, done, done_total))
        else:
            cards = [t for t in in_flight if t.status == status]
            columns.append((status, label, cards, len(cards)))
    tasks = in_flight + done
    return {
        "project": project,
        "columns": columns,
        "statuses": TaskStatus.choices,
        # A card's buttons, one submit per other status in a single form.
        "moves": [
            (value, label, _("Move to %(to)s") % {"to": label})
            for value, label in TaskStatus.choices
        ],
        "can_manage": access.can_manage_tasks(request.user, project),
        "updatable": access.updatable_task_ids(request.user, project, tasks),
        "view": "kanban",
    }


@login_required
def task_board_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    return render(request, "collaboration/task_board.html", _kanban_context(request, project))


@login_required
def my_tasks_view(request: HttpRequest) -> HttpResponse:
    filterset = TaskFilter(request.GET, queryset=my_tasks(request.user))
    tasks = filterset.qs if filterset.is_valid() else Task.objects.none()
    page = KeysPaginator(tasks, 50).get_page(request.GET.get("page"))
    context = {"page": page, "filter": filterset, "statuses": TaskStatus.choices, "view": "my"}
    return render(request, "collaboration/my_tasks.html", context)


@login_required
def portfolio_tasks_view(request: HttpRequest) -> HttpResponse:
    """Every task on the open projects the person may see (the dashboard's workload lists)."""
    tasks = access.tasks_visible_to(request.user).filter(open_project("project"))
    filterset = PortfolioTaskFilter(request.GET, queryset=overdue_first(tasks_with_people(tasks)))
    listed = filterset.qs if filterset.is_valid() else Task.objects.none()
    page = KeysPaginator(listed, 50).get_page(request.GET.get("page"))
    context = {"page": page, "filter": filterset}
    return render(request, "collaboration/portfolio_tasks.html", context)


@login_required
def task_detail_view(request: HttpRequest, pk: int, task: int) -> HttpResponse:
    project, record = _task(request, pk, task)
    record = tasks_with_people(Task.objects.filter(pk=record.pk)).get()
    context = {
        "project": project,
        "task": record,
        "can_manage": access.can_manage_tasks(request.user, project),
        "can_update": access.can_update_task(request.user, record),
        "statuses": TaskStatus.choices,
        "dependents": list(record.dependents.all()),
        "conflicts": [d for d in record.dependencies.all() if record.starts_before_due_of(d)],
        "comments": list(comments_of(project, record)),
        "view": "detail",
        **comment_form_context(request, project, task=record),
    }
    return render(request, "collaboration/task_detail.html", context)


@login_required
def task_form_view(request: HttpRequest, pk: int, task: int | None = None) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    if not access.can_manage_tasks(request.user, project):
        raise PermissionDenied
    instance = get_object_or_404(Task, pk=task, project=project) if task else None
    form = TaskForm(request.POST or None, instance=instance, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            saved = task_save(
                task=form.save(commit=False),
                actor=request.user,
                dependencies=form.cleaned_data["dependencies"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Task saved."))
            return redirect(saved)
    context = {
        "project": project,
        "form": form,
        "task": instance,
        "conflicts": form.date_conflicts(),
    }
    return render(request, "collaboration/task_form.html", context)


@login_required
@require_POST
def task_delete_view(request: HttpRequest, pk: int, task: int) -> HttpResponse:
    project, record = _task(request, pk, task)
    task_delete(task=record, actor=request.user)
    messages.success(request, _("Task deleted."))
    return redirect("collaboration:task_list", pk=project.pk)


def _back(request: HttpRequest, record: Task) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(record)


@login_required
@require_POST
def task_progress_view(request: HttpRequest, pk: int, task: int) -> HttpResponse:
    """One click: a new status and/or progress, from My tasks, the list, the kanban or the
    task page."""
    project, record = _task(request, pk, task)
    if not access.can_update_task(request.user, record):
        raise PermissionDenied
    form = TaskProgressForm(request.POST)
    error_messages = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            task_update_progress(
                task=record,
                actor=request.user,
                status=data["status"] or None,
                progress=data["progress"],
                blocked_reason=data["blocked_reason"] if "blocked_reason" in request.POST else None,
            )
        except ValidationError as error:
            error_messages = error.messages
    else:
        error_messages = [e for errors in form.errors.values() for e in errors]
    if not error_messages:
        messages.success(request, _("Task updated."))
    view = request.POST.get("view", "")
    if request.htmx and view in PARTIALS:
        if view == "kanban":
            context = _kanban_context(request, project)
            context["error_task"] = record.pk  # the refusal is shown on the card moved
        else:
            row = tasks_with_people(Task.objects.filter(pk=record.pk))
            context = {"task": overdue_first(row).get(), "statuses": TaskStatus.choices}
        context.update(view=view, errors=error_messages, project=project)
        return render(request, PARTIALS[view], context, status=400 if error_messages else 200)
    for message in error_messages:
        messages.error(request, message)
    return _back(request, record)


@login_required
@require_POST
def strategy_tasks_view(request: HttpRequest, pk: int, strategy: int) -> HttpResponse:
    """Turn a strategy's actions into tasks (the strategy section of the project page)."""
    project = get_project_for_user(request.user, pk, write=True)
    record = get_object_or_404(Strategy, pk=strategy, project=project)
    try:
        created = strategy_actions_to_tasks(strategy=record, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("%(count)d tasks created.") % {"count": len(created)})
    return redirect(f"{project.get_absolute_url()}#section-strategies")
