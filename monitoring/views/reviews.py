"""监控评估 pages: a project's reviews (list and month calendar), the review page with its
agenda → minutes & action items → decision flow, printable minutes, and the portfolio's
reviews this week and overdue.

Each step of the review page is a fragment template: the page includes it, and a step's form
posted by htmx gets just that fragment back. Without JavaScript the same forms post and
redirect. Holding a review reloads the whole page, because the decision may move the stage.
"""

import calendar
import datetime
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from collaboration.selectors import team_users
from core.forms import add_service_errors
from monitoring.forms import (
    ReviewActionItemForm,
    ReviewAgendaForm,
    ReviewForm,
    ReviewHoldForm,
    ReviewMinutesForm,
)
from monitoring.models import ReviewDecision, ReviewMeeting, RiskLevel
from monitoring.reviews import (
    HoldResult,
    action_item_add,
    action_items_to_tasks,
    can_manage_reviews,
    review_agenda_draft,
    review_brief,
    review_cancel,
    review_hold,
    review_prepare,
    review_schedule,
)
from projects.access import get_project_for_user, projects_visible_to
from projects.models import Project, Stage
from projects.views.detail import project_page_context

# The steps of the review page: the fragment each one renders.
PANELS = {
    "agenda": "monitoring/_review_agenda.html",
    "minutes": "monitoring/_review_minutes.html",
    "actions": "monitoring/_review_actions.html",
    "decision": "monitoring/_review_decision.html",
}
PREPARE_FORMS = {"agenda": ReviewAgendaForm, "minutes": ReviewMinutesForm}


# --- finding things ----------------------------------------------------------------------------
def _project(request: HttpRequest, pk: int, *, write: bool = False) -> Project:
    return get_project_for_user(
        request.user,
        pk,
        write=write,
        queryset=Project.objects.select_related("customer", "owner"),
    )


def _review(
    request: HttpRequest, pk: int, review: int, *, write: bool = False
) -> tuple[Project, ReviewMeeting]:
    project = _project(request, pk, write=write)
    record = get_object_or_404(
        project.reviews.prefetch_related("attendees").select_related("created_by"), pk=review
    )
    return project, record


def _with_attendee_count(reviews: QuerySet[ReviewMeeting]) -> QuerySet[ReviewMeeting]:
    return reviews.annotate(attendee_count=Count("attendees", distinct=True))


def _from_project(request: HttpRequest) -> bool:
    """Whether the form was posted from the project page, which it should then come back to."""
    return request.GET.get("from") == "project"


# --- the list and its calendar -----------------------------------------------------------------
def _month(value: str | None) -> datetime.date:
    """The first day of ?month=YYYY-MM, or of this month."""
    try:
        first = datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        first = None
    if first is None or not 1900 < first.year < 3000:
        first = timezone.localdate().replace(day=1)
    return first


def _calendar(reviews: list[ReviewMeeting], first: datetime.date) -> list[list[tuple]]:
    """The weeks of the month, each day with its reviews (days of the months around included)."""
    by_day = defaultdict(list)
    for review in reviews:
        by_day[timezone.localtime(review.scheduled_for).date()].append(review)
    weeks = calendar.Calendar().monthdatescalendar(first.year, first.month)
    return [
        [(day, sorted(by_day[day], key=lambda r: r.scheduled_for)) for day in week]
        for week in weeks
    ]


@login_required
def review_list_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    # Aggregating queries drop Meta.ordering: the order is spelled out.
    reviews = list(_with_attendee_count(project.reviews.order_by("-scheduled_for", "-pk")))
    first = _month(request.GET.get("month"))
    context = {
        "project": project,
        "reviews": reviews,
        "can_manage": can_manage_reviews(request.user, project),
        "month": first,
        "previous_month": (first - datetime.timedelta(days=1)).replace(day=1),
        "next_month": (first + datetime.timedelta(days=32)).replace(day=1),
        "weeks": _calendar(reviews, first),
        "today": timezone.localdate(),
    }
    return render(request, "monitoring/review_list.html", context)


# --- scheduling ----------------------------------------------------------------------------------
def _schedule_failed(request: HttpRequest, project: Project, form: ReviewForm) -> HttpResponse:
    if _from_project(request):
        context = project_page_context(request, project, bound={"reviews": form})
        context["open_section"] = "reviews"
        return render(request, "projects/project_detail.html", context)
    return render(request, "monitoring/review_form.html", {"project": project, "form": form})


@login_required
def review_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk, write=True)
    if request.method != "POST":
        initial = {
            "agenda": review_agenda_draft(review_brief(project)),
            "attendees": list(team_users(project).values_list("pk", flat=True)),
        }
        form = ReviewForm(project=project, prefix="reviews", initial=initial)
        return render(request, "monitoring/review_form.html", {"project": project, "form": form})
    form = ReviewForm(request.POST, project=project, prefix="reviews")
    if not form.is_valid():
        return _schedule_failed(request, project, form)
    review = form.save(commit=False)
    review.project = project
    try:
        review_schedule(review=review, actor=request.user, attendees=form.cleaned_data["attendees"])
    except ValidationError as error:
        add_service_errors(form, error)
        return _schedule_failed(request, project, form)
    messages.success(request, _("Review scheduled."))
    if _from_project(request):
        return redirect(f"{project.get_absolute_url()}#section-reviews")
    return redirect(review)


@login_required
def review_edit_view(request: HttpRequest, pk: int, review: int) -> HttpResponse:
    project, record = _review(request, pk, review, write=True)
    form = ReviewForm(request.POST or None, instance=record, project=project, prefix="reviews")
    if request.method == "POST" and form.is_valid():
        try:
            review_schedule(
                review=form.save(commit=False),
                actor=request.user,
                attendees=form.cleaned_data["attendees"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Review saved."))
            return redirect(record)
    context = {"project": project, "form": form, "review": record}
    return render(request, "monitoring/review_form.html", context)


@login_required
@require_POST
def review_delete_view(request: HttpRequest, pk: int, review: int) -> HttpResponse:
    """Cancel a review that has not been held; a held one is history and stays."""
    project = _project(request, pk, write=True)
    record = get_object_or_404(project.reviews.pending(), pk=review)
    try:
        review_cancel(review=record, actor=request.user)
    except ValidationError as error:  # held meanwhile
        messages.error(request, error.messages[0])
        return redirect(record)
    messages.success(request, _("Review cancelled."))
    return redirect("monitoring:review_list", pk=project.pk)


# --- the review page ------------------------------------------------------------------------------
def _page_context(
    request: HttpRequest, project: Project, review: ReviewMeeting, *, bound: dict | None = None
) -> dict:
    """What every step's fragment needs: the review, its action items, the forms."""
    can_manage = can_manage_reviews(request.user, project)
    forms: dict[str, BaseForm] = {}
    if can_manage:
        forms["actions"] = ReviewActionItemForm(project=project, prefix="action")
        if not review.is_held:
            forms["agenda"] = ReviewAgendaForm(instance=review, prefix="agenda")
            forms["minutes"] = ReviewMinutesForm(instance=review, prefix="minutes")
            forms["decision"] = ReviewHoldForm(prefix="hold")
        forms.update(bound or {})
    return {
        "project": project,
        "review": review,
        "action_items": list(review.action_items.select_related("owner", "task")),
        "can_manage": can_manage,
        "forms": forms,
    }


def _levels(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [
        (level, label, counts[level]) for level, label in RiskLevel.choices if counts.get(level)
    ]


def _facts_context(project: Project, review: ReviewMeeting) -> dict:
    """The brief of a review to come, or the facts a held review started from."""
    if not review.is_held:
        brief = review_brief(project, before=review)
        return {
            "brief": brief,
            "since": datetime.datetime.fromisoformat(brief.since) if brief.since else None,
            "open_risks": _levels(brief.open_risks_by_level),
        }
    facts = review.facts or {}
    stage = facts.get("stage")
    return {
        "facts": facts,
        "facts_stage": Stage(stage).label if stage in Stage.values else "",
        "facts_goals": sorted(facts.get("goals", {}).items()),
        "open_risks": _levels(facts.get("open_risks_by_level", {})),
    }


def _page(request: HttpRequest, project: Project, review: ReviewMeeting, **kwargs) -> HttpResponse:
    context = _page_context(request, project, review, **kwargs)
    context.update(_facts_context(project, review))
    return render(request, "monitoring/review_detail.html", context)


def _panel(
    request: HttpRequest,
    project: Project,
    review: ReviewMeeting,
    panel: str,
    *,
    form: BaseForm | None = None,
    message: str = "",
) -> HttpResponse:
    """After a step's form: its fragment for htmx; otherwise back to the page (or the page
    with the form's errors next to its fields). What was saved is said as a message either
    way (htmx brings the messages region along with the fragment)."""
    bound = {panel: form} if form is not None else None
    if message:
        messages.success(request, message)
    if request.htmx:
        context = _page_context(request, project, review, bound=bound)
        return render(request, PANELS[panel], context)
    if form is not None:
        return _page(request, project, review, bound=bound)
    return redirect(f"{review.get_absolute_url()}#review-{panel}")


@login_required
def review_detail_view(request: HttpRequest, pk: int, review: int) -> HttpResponse:
    project, record = _review(request, pk, review)
    return _page(request, project, record)


@login_required
@require_POST
def review_prepare_view(request: HttpRequest, pk: int, review: int) -> HttpResponse:
    """Save the agenda (step 1) or the minutes (step 2) before the decision."""
    step = request.POST.get("step", "")
    if step not in PREPARE_FORMS:
        raise Http404
    project, record = _review(request, pk, review, write=True)
    form = PREPARE_FORMS[step](request.POST, instance=record, prefix=step)
    if form.is_valid():
        try:
            review_prepare(review=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _panel(request, project, record, step, message=_("Saved."))
    return _panel(request, project, record, step, form=form)


@login_required
@require_POST
def review_action_add_view(request: HttpRequest, pk: int, review: int) -> HttpResponse:
    project, record = _review(request, pk, review, write=True)
    form = ReviewActionItemForm(request.POST, project=project, prefix="action")
    if form.is_valid():
        item = form.save(commit=False)
        item.review = record
        try:
            action_item_add(item=item, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _panel(request, project, record, "actions", message=_("Action added."))
    return _panel(request, project, record, "actions", form=form)


@login_required
@require_POST
def review_actions_to_tasks_view(request: HttpRequest, pk: int, review: int) -> HttpResponse:
    project, record = _review(request, pk, review, write=True)
    created = action_items_to_tasks(review=record, actor=request.user)
    message = _("%(count)d tasks created.") % {"count": len(created)}
    return _panel(request, project, record, "actions", message=message)


# --- holding the review -------------------------------------------------------------------------
def _hold_message(result: HoldResult) -> str:
    decision = ReviewDecision(result.review.decision)
    said = _("Review recorded: %(decision)s.") % {"decision": decision.label}
    if result.awaiting_approval:
        then = _("The project's move waits for a director's approval.")
    elif result.moved_to is not None:
        then = _("The project moved to %(stage)s.") % {"stage": result.moved_to.label}
    elif decision == ReviewDecision.ESCALATE:
        then = _("The directors have been told and the project is flagged as escalated.")
    else:
        then = _("The project stays in %(stage)s.") % {
            "stage": Stage(result.review.project.stage).label
        }
    parts = [said, then]
    if result.next_review is not None:
        when = timezone.localtime(result.next_review.scheduled_for)
        parts.append(_("Next review: %(when)s.") % {"when": when.strftime("%Y-%m-%d %H:%M")})
    return " ".join(parts)


def _hold_failed(
    request: HttpRequest, project: Project, review: ReviewMeeting, form: ReviewHoldForm
) -> HttpResponse:
    if _from_project(request) and not request.htmx:
        # The project page's one-line form: each error as a message above the page.
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(f"{project.get_absolute_url()}#section-reviews")
    return _panel(request, project, review, "decision", form=form)


@login_required
@require_POST
def review_hold_view(request: HttpRequest, pk: int, review: int) -> HttpResponse:
    project, record = _review(request, pk, review, write=True)
    form = ReviewHoldForm(request.POST, prefix="hold")
    if not form.is_valid():
        return _hold_failed(request, project, record, form)
    try:
        result = review_hold(
            review=record,
            actor=request.user,
            decision=form.cleaned_data["decision"],
            minutes=form.cleaned_data["minutes"] or None,
            decision_note=form.cleaned_data["decision_note"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _hold_failed(request, project, record, form)
    messages.success(request, _hold_message(result))
    target = (
        f"{project.get_absolute_url()}#section-reviews"
        if _from_project(request)
        else record.get_absolute_url()
    )
    # The decision may have moved the stage: the whole page reloads, not just the step.
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


@login_required
def review_minutes_view(request: HttpRequest, pk: int, review: int) -> HttpResponse:
    """The minutes as a page to print or save as PDF."""
    project, record = _review(request, pk, review)
    context = {
        "project": project,
        "review": record,
        "action_items": list(record.action_items.select_related("owner", "task")),
    }
    return render(request, "monitoring/review_minutes.html", context)


# --- the portfolio ------------------------------------------------------------------------------
@login_required
def portfolio_reviews_view(request: HttpRequest) -> HttpResponse:
    """This week's reviews and the overdue ones, across the projects the user can see."""
    now = timezone.now()
    today = timezone.localdate(now)
    monday = today - datetime.timedelta(days=today.weekday())
    start, end = (
        timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        for day in (monday, monday + datetime.timedelta(days=7))
    )
    reviews = _with_attendee_count(
        ReviewMeeting.objects.filter(project__in=projects_visible_to(request.user)).select_related(
            "project__owner", "project__customer"
        )
    ).order_by("scheduled_for", "pk")
    context = {
        "week_start": monday,
        "week_end": monday + datetime.timedelta(days=6),
        "this_week": list(reviews.filter(scheduled_for__gte=start, scheduled_for__lt=end)),
        "overdue": list(reviews.overdue(now)),
    }
    return render(request, "monitoring/portfolio_reviews.html", context)
