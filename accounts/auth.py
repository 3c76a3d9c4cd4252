"""Sign-in pieces: the forms and how django-axes names a failed attempt."""

from django import forms
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AuthenticationForm,
    PasswordChangeForm,
)
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.http import HttpRequest

from accounts.api_tokens import api_tokens_revoke_all

# django-axes stores the attempted username in a varchar(255).
AXES_USERNAME_MAX_LENGTH = 255


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the username length really validated.

    AuthenticationForm sets max_length after the field is built, so no validator enforces it
    and an over-long name would reach the authentication backends.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        username: forms.CharField = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


def axes_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The username axes records for an attempt, cut to what its table can hold."""
    source = credentials if credentials else request.POST
    username = source.get("username") if source else None
    return username[:AXES_USERNAME_MAX_LENGTH] if isinstance(username, str) else username


class RevokesApiTokensMixin:
    """A password form whose new password also revokes the person's API tokens: whoever knew
    the old password may have signed a client in with it."""

    def save(self, commit: bool = True):
        with transaction.atomic():
            user = super().save(commit=commit)
            if commit:
                api_tokens_revoke_all(user=user)
        return user


class OwnPasswordChangeForm(RevokesApiTokensMixin, PasswordChangeForm):
    """The person's own password page."""


class UserPasswordChangeForm(RevokesApiTokensMixin, AdminPasswordChangeForm):
    """The administration's "change password" of a user."""
