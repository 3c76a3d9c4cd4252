"""Writes of a person's own settings."""

from .models import User


def user_language_set(*, user: User, language: str) -> None:
    """Keep `language` as the one the interface speaks to `user` (pages, e-mails, the API)."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
