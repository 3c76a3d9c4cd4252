"""The team page: members by department, the responsibility matrix, adding and removing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from projects.access import get_project_for_user
from projects.forms import MembershipForm
from projects.models import IRON_TRIANGLE, ProjectMembership

from .. import access
from ..selectors import responsibility_matrix, team_by_department, team_members
from ..services import membership_add, membership_remove, membership_update


@login_required
def team_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    can_manage = access.can_manage_team(request.user, project)
    form = MembershipForm(request.POST or None, project=project, prefix="team")
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            membership = form.save(commit=False)
            membership.project = project
            try:
                membership_add(membership=membership, actor=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Added to the team."))
                return redirect("collaboration:team", pk=project.pk)
    members = team_members(project)
    roles = {m.role for m in members}
    context = {
        "project": project,
        "can_manage": can_manage,
        "groups": team_by_department(members),
        "matrix": responsibility_matrix(project, members),
        "iron_triangle": [(role, role.value in roles) for role in IRON_TRIANGLE],
        "form": form,
    }
    return render(request, "collaboration/team.html", context, status=400 if form.errors else 200)


@login_required
def membership_edit_view(request: HttpRequest, pk: int, membership: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    if not access.can_manage_team(request.user, project):
        raise PermissionDenied
    record = get_object_or_404(ProjectMembership.objects.active(), pk=membership, project=project)
    form = MembershipForm(request.POST or None, instance=record, project=project, prefix="team")
    form.fields["user"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            membership_update(
                membership=form.save(commit=False), actor=request.user, fields=form.changed_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("collaboration:team", pk=project.pk)
    context = {"project": project, "form": form, "membership": record}
    return render(request, "collaboration/membership_form.html", context)


@login_required
@require_POST
def membership_remove_view(request: HttpRequest, pk: int, membership: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    record = get_object_or_404(ProjectMembership, pk=membership, project=project)
    try:
        membership_remove(membership=record, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Removed from the team."))
    return redirect("collaboration:team", pk=project.pk)
