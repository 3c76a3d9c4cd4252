"""What the API says about people and their tokens."""

from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status

from accounts.models import User
from core.fields import StrictCharField


# --- sign-in -------------------------------------------------------------------------------------
class SignInLockedOut(exceptions.APIException):
    """django-axes refused the attempt: too many failures for this name and address."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("Too many failed sign-ins")
    default_code = "locked_out"


USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length
# Long enough for any pass phrase, short enough that nobody makes the server hash a novel.
PASSWORD_MAX_LENGTH = 4096


class TokenRequestSerializer(serializers.Serializer):
    """A username and password, checked by django.contrib.auth (and so by django-axes)."""

    username = StrictCharField(
        label=User._meta.get_field("username").verbose_name,
        max_length=USERNAME_MAX_LENGTH,
        write_only=True,
    )
    password = StrictCharField(
        label=User._meta.get_field("password").verbose_name,
        max_length=PASSWORD_MAX_LENGTH,
        trim_whitespace=False,
        style={"input_type": "password"},
        write_only=True,
    )

    def validate(self, attrs: dict) -> dict:
        request = self.context["request"]
        # The request goes along so that django-axes counts the failure and locks out.
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise SignInLockedOut()
            message = AuthenticationForm.error_messages["invalid_login"] % {
                "username": User._meta.get_field("username").verbose_name
            }
            raise serializers.ValidationError(message, code="authorization")
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = StrictCharField(
        read_only=True,
        help_text="The secret, shown this once: send it as `Authorization: Token <token>`.",
    )
    token_key = StrictCharField(
        read_only=True,
        help_text="The token's first characters, which name it in the token list and to revoke it.",
    )
    expiry = serializers.DateTimeField(
        read_only=True, help_text="When the token stops working; sign in again for a new one."
    )


class ApiTokenSerializer(serializers.Serializer):
    """One of my API tokens, named by its first characters; the secret is never shown again."""

    token_key = StrictCharField(read_only=True)
    created = serializers.DateTimeField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True, allow_null=True)
    current = serializers.SerializerMethodField(
        help_text="Whether this request was made with this token."
    )

    def get_current(self, token) -> bool:
        used = self.context["request"].auth
        return getattr(used, "digest", None) == token.digest


class RevokedSerializer(serializers.Serializer):
    revoked = serializers.IntegerField(read_only=True, help_text="How many tokens were revoked.")


# --- people --------------------------------------------------------------------------------------
class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = StrictCharField(read_only=True)
    name = StrictCharField(source="display_name", read_only=True)
