"""The REST API (version 1) of signing in: exchange a username and password for a token, list
my tokens, revoke one or all. The rules — lifetime, what revokes them — are
`accounts.api_tokens`."""

from django.contrib.auth.signals import user_logged_in
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api_tokens import (
    api_token_create,
    api_token_revoke,
    api_tokens_of,
    api_tokens_revoke_all,
)
from accounts.serializers import (
    ApiTokenSerializer,
    RevokedSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from core.api import ERRORS, MISSING, DetailSerializer, UserLanguageMixin


@extend_schema(tags=["auth"])
class TokenView(UserLanguageMixin, generics.GenericAPIView):
    """Exchange a username and password for a new API token (`Authorization: Token <token>`).

    Each call issues another token, so each client has its own to revoke; the token works
    until its `expiry` and dies sooner on a password change or a deactivation.
    """

    serializer_class = TokenRequestSerializer
    authentication_classes = ()
    permission_classes = ()

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: ERRORS,
            429: OpenApiResponse(DetailSerializer, description="Locked out by django-axes."),
        },
        auth=[],
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, secret = api_token_create(user=user)
        # A token is a sign-in: django-axes clears the failures and last_login moves on.
        user_logged_in.send(sender=type(user), request=request, user=user)
        body = {"token": secret, "token_key": token.token_key, "expiry": token.expiry}
        return Response(TokenSerializer(body).data)


@extend_schema(tags=["auth"])
class ApiTokenListView(UserLanguageMixin, generics.ListAPIView):
    """My API tokens that still work, newest first: never the secret, only its first characters
    (`token_key`), and whether this request used it (`current`)."""

    serializer_class = ApiTokenSerializer
    filter_backends = []

    def get_queryset(self):
        return api_tokens_of(self.request.user)


TOKEN_KEY = OpenApiParameter(
    "token_key", OpenApiTypes.STR, OpenApiParameter.PATH, description="A token's `token_key`."
)


@extend_schema(tags=["auth"])
class ApiTokenDetailView(UserLanguageMixin, generics.GenericAPIView):
    serializer_class = ApiTokenSerializer

    @extend_schema(
        description="Revoke one of my tokens: the client that holds it is refused from now on.",
        parameters=[TOKEN_KEY],
        responses={204: None, 404: MISSING},
    )
    def delete(self, request: Request, token_key: str) -> Response:
        if not api_token_revoke(user=request.user, token_key=token_key):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class ApiTokenRevokeAllView(UserLanguageMixin, generics.GenericAPIView):
    serializer_class = RevokedSerializer

    @extend_schema(
        description="Revoke all my tokens, the one of this request included.",
        request=None,
        responses={200: RevokedSerializer},
    )
    def post(self, request: Request) -> Response:
        revoked = api_tokens_revoke_all(user=request.user)
        return Response(RevokedSerializer({"revoked": revoked}).data)
