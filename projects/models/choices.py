"""The vocabulary of the sales project operating cycle, in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    INITIATION = "initiation", _("Initiation")
    GOAL_SETTING = "goal_setting", _("Goal setting")
    RESOURCE_ALLOCATION = "resource_allocation", _("Resource allocation")
    STRATEGY = "strategy", _("Strategy")
    EXECUTION = "execution", _("Execution")
    MONITORING = "monitoring", _("Monitoring & evaluation")
    CLOSURE = "closure", _("Closure")
    CLOSED = "closed", _("Closed")


OPEN_STAGES = [stage for stage in Stage if stage != Stage.CLOSED]
# The stages work is done in: what a task may serve (Closed is the end, not a stage of work).
OPEN_STAGE_CHOICES = [(stage.value, stage.label) for stage in OPEN_STAGES]


class Outcome(models.TextChoices):
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    CANCELLED = "cancelled", _("Cancelled")


class TransitionKind(models.TextChoices):
    ADVANCE = "advance", _("Advance")
    LOOP = "loop", _("Loop")
    ABORT = "abort", _("Abort")
    REOPEN = "reopen", _("Reopen")
    APPROVAL = "approval", _("Approval")


class ReviewCadence(models.TextChoices):
    NONE = "none", _("No regular reviews")
    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Fortnightly")
    MONTHLY = "monthly", _("Monthly")


class Currency(models.TextChoices):
    CNY = "CNY", _("Chinese yuan (CNY)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    HKD = "HKD", _("Hong Kong dollar (HKD)")
    JPY = "JPY", _("Japanese yen (JPY)")


class FeasibilityDecision(models.TextChoices):
    PENDING = "pending", _("Pending")
    GO = "go", _("Go")
    NO_GO = "no_go", _("No go")


class GoalMetric(models.TextChoices):
    REVENUE = "revenue", _("Revenue")
    MARKET_SHARE = "market_share", _("Market share")
    CUSTOMER_SATISFACTION = "customer_satisfaction", _("Customer satisfaction")
    OTHER = "other", _("Other")


class ResourceKind(models.TextChoices):
    PEOPLE = "people", _("People")
    MATERIAL = "material", _("Material")
    BUDGET = "budget", _("Budget")


class StrategyKind(models.TextChoices):
    MARKET_ENTRY = "market_entry", _("Market entry")
    CUSTOMER_DEVELOPMENT = "customer_development", _("Customer development")
    COMPETITIVE = "competitive", _("Competitive")
    PRICING = "pricing", _("Pricing")
    PARTNERSHIP = "partnership", _("Partnership")


class StrategyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # a revision opened by the loop, reworked before it is adopted
    ACTIVE = "active", _("Active")
    SUPERSEDED = "superseded", _("Superseded")


class ReasonCategory(models.TextChoices):
    PRICE = "price", _("Price")
    RELATIONSHIP = "relationship", _("Relationship")
    SOLUTION_FIT = "solution_fit", _("Solution fit")
    COMPETITOR = "competitor", _("Competitor")
    TIMING = "timing", _("Timing")
    BUDGET = "budget", _("Budget")
    OTHER = "other", _("Other")
