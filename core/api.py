"""The API's shared pieces: errors as responses, their schema, a person's language, stable
ordering."""

from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from core.fields import StrictCharField


class DetailSerializer(serializers.Serializer):
    detail = StrictCharField(read_only=True)


ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description="Field errors: {field: [message]}.")
DENIED = OpenApiResponse(DetailSerializer, description="Not allowed for this person.")
MISSING = OpenApiResponse(DetailSerializer, description="No such object, or not visible.")
CONFLICT = OpenApiResponse(DetailSerializer, description="The object changed meanwhile.")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


# --- shared pieces -------------------------------------------------------------------------------
class UserLanguageMixin:
    """Answer a token-authenticated person in their saved language, as the pages do.

    UserLanguageMiddleware runs before DRF authenticates a token, so it cannot know them.
    """

    def perform_authentication(self, request: Request) -> None:
        super().perform_authentication(request)
        user = request.user
        if user.is_authenticated and getattr(user, "language", ""):
            translation.activate(user.language)
            request._request.LANGUAGE_CODE = translation.get_language()


class StableOrderingFilter(OrderingFilter):
    """Ordering with the primary key as the last key, so that pages never overlap."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not any(term.lstrip("-") in ("pk", "id") for term in ordering):
            ordering = [*ordering, "pk"]
        return ordering
