"""Inline editing of a project's stage records.

Each form on the project page posts here. Success redirects back to the page; a form with
errors re-renders the page with the errors next to the fields. htmx swaps the page body in
place (hx-select), and without JavaScript the same requests work as plain form posts.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import add_service_errors

from ..access import get_project_for_user
from ..forms import (
    AllocationForm,
    ClosureReportForm,
    FeasibilityForm,
    GoalForm,
    GoalProgressForm,
    LessonForm,
    StrategyForm,
)
from ..models import (
    ClosureReport,
    Feasibility,
    Goal,
    Lesson,
    Project,
    ResourceAllocation,
    Strategy,
    StrategyStatus,
)
from ..services import (
    RecordInUse,
    stage_record_delete,
    stage_record_save,
    strategy_adopt,
)
from .detail import project_page_context


@dataclass(frozen=True)
class Section:
    model: type[models.Model]
    form: type
    single: bool = False
    needs_project: bool = False
    title: str = ""  # the heading of a record's own edit page; none: edited elsewhere
    # A record kept by an app above projects, with its own rules and feed, is added and removed
    # by its services (`add(record=, actor=)`, `remove(record=, actor=)`; ValidationError
    # refuses), not as a stage record.
    add: Callable | None = None
    remove: Callable | None = None


SECTIONS = {
    "feasibility": Section(Feasibility, FeasibilityForm, single=True),
    "goals": Section(Goal, GoalForm, title=gettext_lazy("Edit goal")),
    "resources": Section(ResourceAllocation, AllocationForm, title=gettext_lazy("Edit resource")),
    "strategies": Section(Strategy, StrategyForm, title=gettext_lazy("Edit strategy")),
    "closure": Section(ClosureReport, ClosureReportForm, single=True),
    "lessons": Section(Lesson, LessonForm, title=gettext_lazy("Edit lesson")),
}
# The apps above projects add their sections (collaboration: `team`) with `section_register`.


def section_register(name: str, section: Section) -> None:
    """Let the project page's forms of `name` save and remove `section`'s records (once)."""
    SECTIONS.setdefault(name, section)


def _section(name: str) -> Section:
    try:
        return SECTIONS[name]
    except KeyError:
        raise Http404 from None


def _back(project: Project, anchor: str) -> HttpResponse:
    return redirect(f"{project.get_absolute_url()}#section-{anchor}")


def _back_with_errors(request: HttpRequest, form, project: Project, anchor: str) -> HttpResponse:
    """For the one-line forms inside a record: show each field's error as a message."""
    for errors in form.errors.values():
        messages.error(request, errors[0])
    return _back(project, anchor)


def _save(spec: Section, form, project: Project, actor) -> None:
    record = form.save(commit=False)
    if spec.add is not None:
        record.project = project
        spec.add(record=record, actor=actor)  # the owning app's own rules and feed
    else:
        stage_record_save(
            record=record, project=project, actor=actor, changed=set(form.changed_data)
        )


@login_required
@require_http_methods(["GET", "POST"])
def section_save_view(
    request: HttpRequest, pk: int, section: str, item: int | None = None
) -> HttpResponse:
    """Add a record from the project page, or edit one on its own page (GET shows it)."""
    spec = _section(section)
    own_page = item is not None and bool(spec.title)
    if request.method == "GET" and not own_page:
        raise Http404
    project = get_project_for_user(request.user, pk, write=True)
    if spec.single:
        instance = spec.model.objects.filter(project=project).first()
    elif item is not None:
        instance = get_object_or_404(spec.model, pk=item, project=project)
    else:
        instance = None
    kwargs = {"project": project} if spec.needs_project else {}
    form = spec.form(request.POST or None, instance=instance, prefix=section, **kwargs)
    if form.is_bound and form.is_valid():
        try:
            _save(spec, form, project, request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return _back(project, section)
    if own_page:
        context = {"project": project, "form": form, "section": section, "title": spec.title}
        status = 400 if form.is_bound else 200
        return render(request, "projects/section_item_form.html", context, status=status)
    context = project_page_context(request, project, bound={section: form})
    context["open_section"] = section
    return render(request, "projects/project_detail.html", context)


@login_required
@require_POST
def section_delete_view(request: HttpRequest, pk: int, section: str, item: int) -> HttpResponse:
    spec = _section(section)
    if spec.single:
        raise Http404
    project = get_project_for_user(request.user, pk, write=True)
    record = get_object_or_404(spec.model, pk=item, project=project)
    if spec.remove is not None:
        try:
            spec.remove(record=record, actor=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return _back(project, section)
    else:
        try:
            stage_record_delete(record=record, project=project, actor=request.user)
        except RecordInUse as error:
            messages.error(request, error.message)
            return _back(project, section)
    messages.success(request, _("Removed."))
    return _back(project, section)


@login_required
@require_POST
def goal_progress_view(request: HttpRequest, pk: int, goal: int) -> HttpResponse:
    """Update how far a goal has come (its current value) without touching the rest."""
    project = get_project_for_user(request.user, pk, write=True)
    record = get_object_or_404(Goal, pk=goal, project=project)
    form = GoalProgressForm(request.POST, instance=record, prefix=f"goal-{goal}")
    if not form.is_valid():
        return _back_with_errors(request, form, project, "goals")
    stage_record_save(record=form.save(commit=False), project=project, actor=request.user)
    messages.success(request, _("Progress updated."))
    return _back(project, "goals")


@login_required
@require_POST
def strategy_edit_view(request: HttpRequest, pk: int, strategy: int) -> HttpResponse:
    """Rework a draft revision (opened by the loop back to strategy) on the project page."""
    project = get_project_for_user(request.user, pk, write=True)
    record = get_object_or_404(Strategy, pk=strategy, project=project, status=StrategyStatus.DRAFT)
    prefix = f"strategy-{record.pk}"
    form = StrategyForm(request.POST, instance=record, prefix=prefix)
    if form.is_valid():
        try:
            stage_record_save(
                record=form.save(commit=False),
                project=project,
                actor=request.user,
                changed=set(form.changed_data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return _back(project, "strategies")
    context = project_page_context(request, project, bound={prefix: form})
    context["open_section"] = "strategies"
    return render(request, "projects/project_detail.html", context)


@login_required
@require_POST
def strategy_adopt_view(request: HttpRequest, pk: int, strategy: int) -> HttpResponse:
    """Put a reworked draft revision in force."""
    project = get_project_for_user(request.user, pk, write=True)
    record = get_object_or_404(Strategy, pk=strategy, project=project)
    try:
        strategy_adopt(strategy=record, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        adopted = _("Revision %(revision)d adopted.") % {"revision": record.revision}
        messages.success(request, adopted)
    return _back(project, "strategies")
