"""The knowledge base of lessons learned: search across the projects a person may see, and the
lessons of the closed projects most like a given one.

Text search must work for Chinese as well as English. PostgreSQL's trigram similarity ranks
well on longer text, but a query of two or three CJK characters has too few trigrams to pass
any similarity threshold, so a plain substring match always counts as a hit too; similarity
only adds to the ranking. SQLite (tests, laptops) has no trigrams and gets the substring
match alone, ranked by recency.
"""

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When

from accounts.models import User
from projects.access import projects_visible_to
from projects.models import Lesson, Project

# Below this a trigram match is noise (PostgreSQL's own default for word similarity is 0.6;
# lessons are free text with typos, so a little lower).
SIMILARITY_THRESHOLD = 0.4


def _uses_trigrams() -> bool:
    return connection.vendor == "postgresql"


def lessons_search(
    user: User | AnonymousUser,
    *,
    text: str = "",
    industry: str = "",
    region: str = "",
    stage: str = "",
    outcome: str = "",
) -> QuerySet[Lesson]:
    """Lessons of the projects `user` may see, matching the text and filters, best first."""
    lessons = Lesson.objects.filter(project__in=projects_visible_to(user)).select_related(
        "project__customer"
    )
    if industry:
        lessons = lessons.filter(industry=industry)
    if region:
        lessons = lessons.filter(region=region)
    if stage:
        lessons = lessons.filter(stage=stage)
    if outcome:
        lessons = lessons.filter(project__outcome=outcome)
    text = text.strip()
    if not text:
        return lessons.order_by("-created_at", "-pk")
    if not _uses_trigrams():
        return lessons.filter(text__icontains=text).order_by("-created_at", "-pk")
    lessons = lessons.annotate(
        similarity=TrigramWordSimilarity(Value(text), "text"),
        contains=Case(
            When(text__icontains=text, then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        ),
    )
    return lessons.filter(Q(contains=1.0) | Q(similarity__gte=SIMILARITY_THRESHOLD)).order_by(
        (F("contains") + F("similarity")).desc(), "-created_at", "-pk"
    )


def similar_lessons(
    project: Project, limit: int = 5, *, user: User | AnonymousUser | None = None
) -> list[Lesson]:
    """Lessons of the closed projects most like `project`: the same customer first, then the
    same industry and region, then the same industry; newest first within each. With `user`,
    only projects that person may see. One query."""
    customer = project.customer
    closed = Project.objects.closed()
    if user is not None:
        closed = projects_visible_to(user, closed)
    rank = Case(
        When(project__customer_id=customer.pk, then=Value(0)),
        When(project__customer__region=customer.region, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    lessons = (
        Lesson.objects.filter(project__in=closed)
        .exclude(project=project)
        .filter(
            Q(project__customer_id=customer.pk) | Q(project__customer__industry=customer.industry)
        )
        .select_related("project__customer")
        .annotate(similarity_rank=rank)
        .order_by("similarity_rank", "-created_at", "-pk")
    )
    return list(lessons[:limit])
