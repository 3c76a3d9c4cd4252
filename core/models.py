from django.core.exceptions import ValidationError
from django.db import models, router


class ConstraintsOnFields:
    """A model whose check and unique constraints on one field's value are that field's errors:
    Django reports a constraint on an expression (lower(name), due ≥ start) for the whole record,
    so a form would show it above the fields. `constraint_fields` maps constraint → field."""

    constraint_fields: dict[str, str] = {}

    def validate_constraints(self, exclude=None) -> None:
        errors: dict = {}
        using = router.db_for_write(type(self), instance=self)
        for model_class, constraints in self.get_constraints():  # type: ignore[attr-defined]
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    field = self.constraint_fields.get(constraint.name)
                    fields = getattr(constraint, "fields", ())
                    if field is None and error.code == "unique" and len(fields) == 1:
                        field = fields[0]  # as Django does
                    if field is None:
                        errors = error.update_error_dict(errors)
                    else:
                        errors.setdefault(field, []).extend(error.error_list)
        if errors:
            raise ValidationError(errors)


class DeferredTask(models.Model):
    """Background work that could not be handed to the broker (core.background); published
    again by `deferred_tasks_replay` once Redis answers."""

    name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name}{tuple(self.args)}"


class Heartbeat(models.Model):
    """The last sign of life of each Celery worker and beat, read by /healthz (core.health)."""

    class Kind(models.TextChoices):
        WORKER = "worker", "worker"
        BEAT = "beat", "beat"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    hostname = models.CharField(max_length=200)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "hostname"], name="heartbeat_once_per_process")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.hostname} {self.seen_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def record(cls, kind: str, hostname: str) -> None:
        from django.utils import timezone

        cls.objects.update_or_create(
            kind=kind, hostname=hostname[:200], defaults={"seen_at": timezone.now()}
        )
