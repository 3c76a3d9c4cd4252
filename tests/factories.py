import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Department, User
from accounts.roles import Role
from collaboration.models import Comment, Task, TaskStatus
from customers.models import Contact, Customer, Industry, Region
from monitoring.models import ReviewActionItem, ReviewMeeting, Risk
from projects.models import (
    ClosureReport,
    Feasibility,
    FeasibilityDecision,
    Goal,
    GoalMetric,
    Lesson,
    Outcome,
    Project,
    ProjectMembership,
    ResourceAllocation,
    ResourceKind,
    Stage,
    Strategy,
    StrategyKind,
    TeamRole,
)

TEST_PASSWORD = "correct-horse-battery"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"dept-{n}")
    name_zh = factory.Sequence(lambda n: f"部门{n}")
    name_en = factory.Sequence(lambda n: f"Department {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def role(self, create: bool, role: Role | None, **kwargs) -> None:
        if create and role:
            self.groups.add(Group.objects.get(name=Role(role).value))
        if create:
            self.save()


# --- projects and the records of each stage ---------------------------------------------------
def _days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n} Ltd")
    industry = factory.Iterator(Industry.values)
    region = factory.Iterator(Region.values)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Faker("name")
    title = "Head of IT"


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project owned by a sales manager; `stage=` may be given (the FSM field accepts it at
    construction). A closed project gets the outcome won, as the database requires."""

    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"SP-2026-{n:04d}")
    name = factory.Sequence(lambda n: f"Sales project {n}")
    customer = factory.SubFactory(CustomerFactory)
    owner = factory.SubFactory(UserFactory, role=Role.SALES_MANAGER)
    background = "The customer is replacing its ageing system; we are invited to tender."
    estimated_value = Decimal("500000.00")
    expected_close_date = factory.LazyFunction(lambda: _days_from_today(90))
    stage = Stage.INITIATION
    outcome = factory.LazyAttribute(lambda o: Outcome.WON if o.stage == Stage.CLOSED else "")


class FeasibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feasibility

    project = factory.SubFactory(ProjectFactory)
    market_research = "Three vendors shortlisted; budget approved for next year."
    customer_needs = "A single view of orders across plants."
    competitors = "Two local integrators."
    decision = FeasibilityDecision.GO
    decided_by = factory.SelfAttribute("project.owner")
    decided_at = factory.LazyFunction(timezone.now)


class GoalFactory(factory.django.DjangoModelFactory):
    """A SMART revenue goal: metric, positive target, unit, future deadline, owner."""

    class Meta:
        model = Goal

    project = factory.SubFactory(ProjectFactory)
    metric = GoalMetric.REVENUE
    title = factory.Sequence(lambda n: f"Sign contract {n}")
    baseline = Decimal("0")
    target = Decimal("500000.00")
    unit = "CNY"
    deadline = factory.LazyFunction(lambda: _days_from_today(60))
    owner = factory.SelfAttribute("project.owner")


class ResourceAllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourceAllocation

    project = factory.SubFactory(ProjectFactory)
    kind = ResourceKind.PEOPLE
    description = factory.Sequence(lambda n: f"Allocation {n}")
    quantity = Decimal("1")
    planned_cost = Decimal("0")


class StrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Strategy

    project = factory.SubFactory(ProjectFactory)
    kind = StrategyKind.CUSTOMER_DEVELOPMENT
    summary = "Win the operations director through a pilot."
    actions = "Run a pilot\nPresent the pilot results"
    created_by = factory.SelfAttribute("project.owner")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    stage = Stage.EXECUTION
    assignee = factory.SelfAttribute("project.owner")
    status = TaskStatus.TODO


class ProjectMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMembership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory, role=Role.MEMBER)
    department = factory.SubFactory(DepartmentFactory)
    role = TeamRole.MEMBER


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on the project by its owner; give `author=` a team member as needed."""

    class Meta:
        model = Comment

    project = factory.SubFactory(ProjectFactory)
    author = factory.SelfAttribute("project.owner")
    body = factory.Sequence(lambda n: f"Comment {n}")


class ReviewMeetingFactory(factory.django.DjangoModelFactory):
    """A review scheduled a week ahead and not yet held."""

    class Meta:
        model = ReviewMeeting

    project = factory.SubFactory(ProjectFactory)
    scheduled_for = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    agenda = "Progress against the goals."
    created_by = factory.SelfAttribute("project.owner")


class RiskFactory(factory.django.DjangoModelFactory):
    """An open, medium risk (3 × 3) owned by the project's owner."""

    class Meta:
        model = Risk

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Risk {n}")
    category = "competition"
    probability = 3
    impact = 3
    owner = factory.SelfAttribute("project.owner")
    created_by = factory.SelfAttribute("project.owner")


class ReviewActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewActionItem

    review = factory.SubFactory(ReviewMeetingFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SelfAttribute("review.project.owner")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=5))


class ClosureReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClosureReport

    project = factory.SubFactory(ProjectFactory)
    outcome = Outcome.WON
    actual_value = Decimal("480000.00")
    summary = "Signed after a successful pilot."
    went_well = "The pilot convinced the operations director."
    to_improve = "Involve procurement earlier."


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    project = factory.SubFactory(ProjectFactory)
    text = "Offer a pilot before the formal tender."
    stage = Stage.STRATEGY
    industry = factory.SelfAttribute("project.customer.industry")
    region = factory.SelfAttribute("project.customer.region")
    created_by = factory.SelfAttribute("project.owner")
