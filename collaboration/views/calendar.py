"""Calendar feeds (to be built)."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404


calendar_settings_view = personal_feed_view = project_feed_view = _todo
