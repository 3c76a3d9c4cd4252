from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.history import History
from core.models import ConstraintsOnFields
from core.text import no_control_characters


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    FINANCE = "finance", _("Finance and insurance")
    TELECOM = "telecom", _("Telecommunications")
    ENERGY = "energy", _("Energy and utilities")
    GOVERNMENT = "government", _("Government and public sector")
    HEALTHCARE = "healthcare", _("Healthcare")
    EDUCATION = "education", _("Education")
    RETAIL = "retail", _("Retail and consumer goods")
    TECHNOLOGY = "technology", _("Internet and technology")
    LOGISTICS = "logistics", _("Transport and logistics")
    OTHER = "other", _("Other")


class Region(models.TextChoices):
    NORTH = "north", _("North China")
    NORTHEAST = "northeast", _("Northeast China")
    EAST = "east", _("East China")
    CENTRAL = "central", _("Central China")
    SOUTH = "south", _("South China")
    SOUTHWEST = "southwest", _("Southwest China")
    NORTHWEST = "northwest", _("Northwest China")
    OVERSEAS = "overseas", _("Overseas")


class CustomerSize(models.TextChoices):
    SMALL = "small", _("Small (under 100 staff)")
    MEDIUM = "medium", _("Medium (100–999 staff)")
    LARGE = "large", _("Large (1,000–9,999 staff)")
    ENTERPRISE = "enterprise", _("Enterprise (10,000+ staff)")


# One organisation per installation: a customer's name is unique across it, in any case.
CUSTOMER_NAME_TAKEN = _("A customer with this name already exists.")
NAME_UNIQUE = "customer_name_unique_ci"


class CustomerQuerySet(models.QuerySet):
    def named(self, name: str) -> "CustomerQuerySet":
        """The customer called `name` in any case (what the unique index on lower(name) holds)."""
        return self.annotate(name_lower=Lower("name")).filter(name_lower=name.lower())


class Customer(ConstraintsOnFields, models.Model):
    name = models.CharField(_("name"), max_length=200, validators=[no_control_characters])
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    size = models.CharField(_("size"), max_length=20, choices=CustomerSize.choices, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    notes = models.TextField(
        _("notes"), max_length=5000, blank=True, validators=[no_control_characters]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = History(table_name="projects_historicalcustomer")

    objects = CustomerQuerySet.as_manager()
    constraint_fields = {NAME_UNIQUE: "name"}

    class Meta:
        db_table = "projects_customer"  # kept from the app that first held it
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name=NAME_UNIQUE, violation_error_message=CUSTOMER_NAME_TAKEN
            ),
        ]
        indexes = [models.Index(fields=["industry"]), models.Index(fields=["region"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:customer_detail", args=[self.pk])


class Contact(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=120, validators=[no_control_characters])
    title = models.CharField(
        _("title"), max_length=120, blank=True, validators=[no_control_characters]
    )
    phone = models.CharField(
        _("phone"), max_length=40, blank=True, validators=[no_control_characters]
    )
    email = models.EmailField(_("email"), blank=True)
    notes = models.TextField(
        _("notes"), max_length=2000, blank=True, validators=[no_control_characters]
    )

    class Meta:
        db_table = "projects_contact"
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name
