"""What every page's top bar needs from collaboration."""

from functools import cache

from django.http import HttpRequest

from .notifications import unread_count


def notifications(request: HttpRequest) -> dict:
    """`unread_notifications`: counted only when a template uses it, and then only once.

    Templates call a callable they find in the context, so pages that never show the bell
    (fragments, the sign-in page) cost no query.
    """

    @cache
    def unread_notifications() -> int:
        user = getattr(request, "user", None)
        return unread_count(user) if user is not None and user.is_authenticated else 0

    return {"unread_notifications": unread_notifications}
