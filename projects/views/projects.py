"""Project list, board, creation, the project page and its transition buttons."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.pagination import KeysPaginator

from ..access import can_create_project, get_project_for_user
from ..filters import ProjectFilter
from ..forms import ProjectForm, TransitionForm
from ..lifecycle import (
    GateNotMet,
    TransitionError,
    TransitionInvalid,
    available_actions,
    evaluate_gate,
    project_approve,
    project_reject_approval,
    project_transition,
    stage_policies,
)
from ..models import Project, Stage, TransitionKind
from ..selectors import project_list, stage_counts
from ..services import project_create, project_update
from .detail import project_page_context

PAGE_SIZE = 25
BOARD_CARDS_PER_STAGE = 20  # the longest waiting; the rest are a link to the list
SORTS = {
    "code": "code",
    "-code": "-code",
    "name": "name",
    "value": "estimated_value",
    "-value": "-estimated_value",
    "close": "expected_close_date",
    "-close": "-expected_close_date",
    "stage_age": "stage_entered_at",
    "-created": "-created_at",
}


def projects_filtered(request: HttpRequest) -> tuple[ProjectFilter, object]:
    """The projects the list shows for this request: visible to the user, with its filters."""
    filterset = ProjectFilter(request.GET, queryset=project_list(request.user))
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    return filterset, queryset


@login_required
def project_list_view(request: HttpRequest) -> HttpResponse:
    filterset, queryset = projects_filtered(request)
    sort = request.GET.get("sort", "-created")
    queryset = queryset.order_by(SORTS.get(sort, "-created_at"), "-id")
    page = KeysPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    counts_filter = ProjectFilter(
        {k: v for k, v in request.GET.items() if k != "stage"}, queryset=project_list(request.user)
    )
    counts = stage_counts(counts_filter.qs if counts_filter.is_valid() else Project.objects.none())
    context = {
        "filter": filterset,
        "page": page,
        "sort": sort,
        "stage_counts": [(stage, counts[stage.value]) for stage in Stage],
        "total": sum(counts.values()),
        "policies": stage_policies(),
        "can_create": can_create_project(request.user),
        "query": request.GET.copy(),
    }
    template = "projects/_project_rows.html" if request.htmx else "projects/project_list.html"
    return render(request, template, context)


@login_required
def project_board_view(request: HttpRequest) -> HttpResponse:
    filterset, queryset = projects_filtered(request)
    counts = stage_counts(queryset)
    # The cards of every column: first their keys, a UNION ALL of one bounded index scan per
    # stage (stage, stage_entered_at) — never a sort of the portfolio — then those rows whole.
    # One statement with the rows and their flags in every branch took 12 ms to plan alone.
    keys = [
        queryset.filter(stage=stage)
        .order_by("stage_entered_at", "id")
        .values("pk")[:BOARD_CARDS_PER_STAGE]
        for stage in Stage
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        chosen = [row["pk"] for row in keys[0].union(*keys[1:], all=True)]
    else:  # SQLite (the embedded demo) cannot LIMIT inside a UNION: a query per stage
        chosen = [row["pk"] for stage_keys in keys for row in stage_keys]
    cards = sorted(queryset.filter(pk__in=chosen), key=lambda p: (p.stage_entered_at, p.pk))
    columns = [
        (stage, counts[stage.value], [c for c in cards if c.stage == stage]) for stage in Stage
    ]
    context = {
        "filter": filterset,
        "columns": columns,
        "policies": stage_policies(),
        "cards_per_stage": BOARD_CARDS_PER_STAGE,
    }
    return render(request, "projects/project_board.html", context)


@login_required
def project_create_view(request: HttpRequest) -> HttpResponse:
    if not can_create_project(request.user):
        raise PermissionDenied
    form = ProjectForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        project = project_create(project=form.save(commit=False), actor=request.user)
        messages.success(request, _("Project %(code)s opened.") % {"code": project.code})
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form})


@login_required
def project_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, write=True)
    form = ProjectForm(request.POST or None, instance=project, actor=request.user)
    if request.method == "POST" and form.is_valid():
        project_update(
            project=form.save(commit=False), actor=request.user, fields=form.changed_data
        )
        messages.success(request, _("Project saved."))
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
def project_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(
        request.user, pk, queryset=Project.objects.select_related("customer", "owner")
    )
    return render(request, "projects/project_detail.html", project_page_context(request, project))


@login_required
def project_gate_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    return render(
        request, "projects/_gate.html", {"project": project, "gate": evaluate_gate(project)}
    )


@login_required
def project_advance_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Before a board move: the gate of the card's stage and, if it is met, a confirm button.
    With htmx the card itself asks; without JavaScript a page does."""
    project = get_project_for_user(request.user, pk)
    if project.next_stage is None:  # closed: nothing to advance to
        return redirect(project)
    card = project_list(request.user).get(pk=project.pk)  # read as the board reads its cards
    move = next(
        (
            action
            for action in available_actions(card, request.user)
            if action.kind in (TransitionKind.ADVANCE, TransitionKind.APPROVAL)
        ),
        None,
    )
    context = {
        "project": card,
        "gate": evaluate_gate(card),
        "move": move,
        "policies": stage_policies(),
    }
    if request.htmx:
        return render(request, "projects/_board_card.html", context)
    return render(request, "projects/project_advance.html", context)


@login_required
@require_POST
def project_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A transition button or a board card move; the lifecycle decides, we report."""
    project = get_project_for_user(request.user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _refused(request, project, _("Choose a valid stage."), status=400)
    # The stage the page showed: the lifecycle refuses the move if the project has left it.
    seen = request.POST.get("from_stage", "")
    note = form.cleaned_data["note"]
    action = request.POST.get("action")
    try:
        if action == "approve":
            project_approve(project=project, actor=request.user, expected_stage=seen, note=note)
            messages.success(request, _("Stage change approved."))
        elif action == "reject":
            project_reject_approval(
                project=project, actor=request.user, expected_stage=seen, note=note
            )
            messages.info(request, _("Approval request sent back."))
        else:
            result = project_transition(
                project=project,
                to_stage=form.cleaned_data["to_stage"],
                actor=request.user,
                expected_stage=seen,
                note=note,
                outcome=form.cleaned_data["outcome"],
                reason_category=form.cleaned_data["reason_category"],
            )
            if result.awaiting_approval:
                messages.info(request, _("Sent to the directors for approval."))
            else:
                messages.success(
                    request,
                    _("Moved to %(stage)s.") % {"stage": Stage(result.project.stage).label},
                )
    except GateNotMet as error:
        return _refused(request, project, error.message, status=409, unmet=error.unmet)
    except TransitionInvalid as error:
        return _refused(request, project, error.message, status=400)
    except TransitionError as error:
        return _refused(request, project, error.message, status=409)
    return _after_transition(request, project)


def _refused(request, project, message: str, *, status: int, unmet=None) -> HttpResponse:
    if request.htmx and request.POST.get("source") == "board":
        # Said on the card itself; a message kept for later would greet the next page.
        return _after_transition(request, project, status=status, unmet=unmet, refused=message)
    messages.error(request, message)
    return _after_transition(request, project, status=status, unmet=unmet)


def _after_transition(
    request, project, *, status: int = 200, unmet=None, refused: str = ""
) -> HttpResponse:
    from_board = request.POST.get("source") == "board"
    if from_board and status == 200:
        if request.htmx:
            # The board is drawn again: the card in its new column, the message above.
            return HttpResponse(headers={"HX-Refresh": "true"})
        return redirect("projects:project_board")
    if from_board and not request.htmx:
        # Refused: the confirm page shows the gate as it stands now, and why.
        return redirect("projects:project_advance", pk=project.pk)
    if request.htmx and from_board:
        # Read as the board reads its cards, with their flags (review overdue).
        project = project_list(request.user).get(pk=project.pk)
        context = {
            "project": project,
            "unmet": unmet,
            "refused": refused,
            "policies": stage_policies(),
        }
        response = render(request, "projects/_board_card.html", context)
        # htmx swaps 200 responses only; the card re-renders in its column with the reason.
        response["HX-Retarget"] = f"#card-{project.pk}"
        response["HX-Reswap"] = "outerHTML"
        return response
    return redirect(project)
