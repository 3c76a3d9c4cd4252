"""The REST API (version 1) of the knowledge base: lessons learned, searched and filtered as on
the /lessons/ page, among the projects the person may see."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from core.api import UserLanguageMixin
from insights.filters import LessonFilter
from insights.lessons import lessons_search
from projects.models import Lesson
from projects.serializers import LessonSerializer


class LessonSearchSerializer(LessonSerializer):
    project_code = serializers.CharField(source="project.code", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    customer = serializers.CharField(source="project.customer.name", read_only=True)
    outcome = serializers.CharField(source="project.outcome", read_only=True)

    class Meta(LessonSerializer.Meta):
        fields = [
            "id",
            "project",
            "project_code",
            "project_name",
            "customer",
            "outcome",
            "text",
            "stage",
            "industry",
            "region",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema(
    description="Search the lessons learned of every project you may see: `q` matches the text "
    "(Chinese or English; best matches first, then newest), the other parameters filter."
)
class LessonSearchView(UserLanguageMixin, generics.ListAPIView):
    serializer_class = LessonSearchSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = LessonFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Lesson.objects.none()
        # LessonFilter narrows this with the same selector; an unfiltered list is this one.
        return lessons_search(self.request.user)
