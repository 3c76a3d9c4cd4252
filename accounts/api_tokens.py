"""API tokens (django-rest-knox): one per client that signs in, stored only as a hash, each
expiring API_TOKEN_TTL_DAYS after it was issued.

Every issue and revocation goes through here — the API, the profile page, the password forms
and the administration's deactivation — so "what revokes a token" is read in one module.
"""

import logging

from django.db.models import Q, QuerySet
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import User

logger = logging.getLogger(__name__)


def _live() -> Q:
    """Tokens that still work. Knox deletes an expired one when it is presented (and the
    person's other expired ones with it); `api_tokens_prune_expired` deletes the rest daily."""
    return Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())


def api_tokens_of(user: User) -> QuerySet[AuthToken]:
    """The person's tokens that still work, newest first."""
    return AuthToken.objects.filter(_live(), user=user).order_by("-created", "token_key")


def api_token_create(*, user: User) -> tuple[AuthToken, str]:
    """Issue a token to one more client; the secret is returned now and never stored."""
    token, secret = AuthToken.objects.create(user=user)
    logger.info("API token %s issued to %s", token.token_key, user.username)
    return token, secret


def api_token_revoke(*, user: User, token_key: str) -> bool:
    """Revoke one of the person's own tokens; False when they have none by that key."""
    deleted, _rows = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if deleted:
        logger.info("API token %s of %s revoked", token_key, user.username)
    return bool(deleted)


def api_tokens_prune_expired() -> int:
    """Delete the expired tokens of everyone (daily, with the sign-in logs)."""
    deleted, _rows = AuthToken.objects.exclude(_live()).delete()
    return deleted


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every token of the person (a new password, a deactivation, "revoke all")."""
    deleted, _rows = AuthToken.objects.filter(user=user).delete()
    if deleted:
        logger.info("%d API tokens of %s revoked", deleted, user.username)
    return deleted
