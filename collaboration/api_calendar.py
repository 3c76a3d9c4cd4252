"""The REST API (version 1) of the calendar feed token: read it, replace it, revoke it."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import UserLanguageMixin
from core.site import site_url

from .calendar import (
    calendar_token_ensure,
    calendar_token_revoke,
    calendar_token_rotate,
    feed_path,
    project_feed_path,
)
from .models import CalendarToken


class CalendarTokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    feed_url = serializers.URLField(
        read_only=True, help_text="My feed: subscribe to it in Outlook, Google or Apple Calendar."
    )
    project_feed_url = serializers.CharField(
        read_only=True,
        help_text="The feed of one project I can see: put its id in place of {project_id}.",
    )
    created_at = serializers.DateTimeField(read_only=True)


@extend_schema(tags=["calendar"])
class CalendarTokenView(UserLanguageMixin, generics.GenericAPIView):
    """The secret token of my calendar feed URLs."""

    serializer_class = CalendarTokenSerializer
    filter_backends = []
    pagination_class = None

    def _body(self, request: Request, token: CalendarToken) -> dict:
        site = site_url(request)
        project_url = site + project_feed_path(token.token, 0)
        return CalendarTokenSerializer(
            {
                "token": token.token,
                "feed_url": site + feed_path(token.token),
                "project_feed_url": project_url.replace(
                    "/projects/0.ics", "/projects/{project_id}.ics"
                ),
                "created_at": token.created_at,
            }
        ).data

    @extend_schema(description="My feed URLs; a token is made if I have none.")
    def get(self, request: Request) -> Response:
        return Response(self._body(request, calendar_token_ensure(user=request.user)))

    @extend_schema(
        description="Replace my token: the URLs made with the old one stop working.",
        request=None,
        responses={201: CalendarTokenSerializer},
    )
    def post(self, request: Request) -> Response:
        token = calendar_token_rotate(user=request.user)
        return Response(self._body(request, token), status=status.HTTP_201_CREATED)

    @extend_schema(
        description="Revoke my token: no feed until I ask for a new one.",
        request=None,
        responses={204: None},
    )
    def delete(self, request: Request) -> Response:
        calendar_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
