from django.db import models


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
