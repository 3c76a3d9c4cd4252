from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from .lifecycle import evaluate_gate
from .models import (
    ClosureReport,
    Feasibility,
    Goal,
    Lesson,
    Project,
    ProjectMembership,
    ResourceAllocation,
    StagePolicy,
    StageTransition,
    Strategy,
)


class TransitionInline(admin.TabularInline):
    """History is append-only: shown here, never added, changed or deleted."""

    model = StageTransition
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "from_stage", "to_stage", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "customer", "owner", "stage", "outcome", "estimated_value"]
    list_filter = ["stage", "outcome", "customer__industry", "customer__region"]
    list_select_related = ["customer", "owner"]
    search_fields = ["code", "name", "customer__name"]
    readonly_fields = [
        "code",
        "stage",
        "stage_entered_at",
        "outcome",
        "owner",
        "approval_requested_by",
        "approval_requested_at",
        "approval_note",
        "gate_checklist",
    ]
    raw_id_fields = ["customer"]
    inlines = [TransitionInline]

    @admin.display(description=_("exit criteria"))
    def gate_checklist(self, project: Project) -> str:
        if project.pk is None:
            return "–"
        criteria = evaluate_gate(project).criteria
        return format_html_join(
            "",
            "<div>{} {}<br><small>{}</small></div>",
            (("✓" if c.met else "✗", c.label, c.hint) for c in criteria),
        )

    def has_add_permission(self, request) -> bool:
        # New projects get their code and owner membership from projects.services.
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # A project changes through project_update and the lifecycle (the pages, the API), which
        # hold the rules and record who did it; the admin shows it, with its gate, for support.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # A project is closed through the lifecycle, never deleted (it carries its history).
        return False


@admin.register(StageTransition)
class StageTransitionAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "from_stage", "to_stage", "actor", "created_at"]
    list_filter = ["kind", "to_stage"]
    list_select_related = ["project", "actor"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StagePolicy)
class StagePolicyAdmin(admin.ModelAdmin):
    list_display = ["stage", "norm_days", "requires_approval", "win_probability"]
    list_editable = ["norm_days", "requires_approval", "win_probability"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# Stage records change through projects.services.stage_record_save (its rules, the outcome a
# closure report carries to the project): shown here, not edited.
for model in (
    Feasibility,
    Goal,
    ResourceAllocation,
    Strategy,
    ClosureReport,
    Lesson,
):
    admin.site.register(model, ReadOnlyAdmin, list_select_related=["project"])


@admin.register(ProjectMembership)
class ProjectMembershipAdmin(ReadOnlyAdmin):
    list_display = ["project", "user", "role", "department", "joined_on", "left_on"]
    list_filter = ["role", "department"]
    search_fields = ["project__code", "user__username", "user__full_name"]
    list_select_related = ["project", "user", "department"]
