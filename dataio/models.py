import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """A previewed import file: the rows the person saw, imported at most once. The confirm
    button carries only the token; the rows are read from here, never from the browser."""

    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    rows = models.JSONField(_("rows"))
    checksum = models.CharField(_("checksum (SHA-256 of the rows)"), max_length=64)
    created_at = models.DateTimeField(_("previewed at"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    projects_created = models.PositiveIntegerField(_("projects created"), default=0)
    customers_created = models.PositiveIntegerField(_("customers created"), default=0)

    class Meta:
        db_table = "projects_importbatch"  # kept from the app that first held it
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            # Previewing the same file again finds the preview waiting instead of adding one.
            models.UniqueConstraint(
                fields=["created_by", "checksum"],
                condition=models.Q(imported_at__isnull=True),
                name="import_batch_one_waiting_per_file",
            )
        ]

    def __str__(self) -> str:
        return str(self.token)
