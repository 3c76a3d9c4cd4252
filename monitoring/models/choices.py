"""The choices of reviews and risks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", _("Continue")
    ADJUST_STRATEGY = "adjust_strategy", _("Adjust strategy")
    ESCALATE = "escalate", _("Escalate")
    CLOSE = "close", _("Close")


class RiskCategory(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    COMPETITION = "competition", _("Competition")
    TECHNICAL = "technical", _("Technical")
    DELIVERY = "delivery", _("Delivery")
    COMMERCIAL = "commercial", _("Commercial")
    LEGAL = "legal", _("Legal")
    OTHER = "other", _("Other")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MITIGATING = "mitigating", _("Mitigating")
    CLOSED = "closed", _("Closed")
