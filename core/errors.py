"""Error responses, each mapped once.

Inside a DRF view, `api_exception_handler` (REST_FRAMEWORK's EXCEPTION_HANDLER) answers every
endpoint's errors: a refusal by a service (`Refused`, which domain errors subclass, so that
core imports no domain app), a service's ValidationError, a row lock held elsewhere, and
DRF's own. The other handlers here cover what happens before or outside a DRF view — no
route matched, a body too large, a bad host, a failed CSRF check, an unhandled exception —
as JSON under /api/ and as our pages elsewhere, so that an API client never has to read an
HTML page. The wording is DRF's own where it has one (translated in its catalogue), so a 404
reads the same whether the URL matched no route or named a record that does not exist.
"""

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import csrf, defaults
from psycopg import errors as pg_errors
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler, set_rollback

API_PREFIX = "/api/"
LOCK_TIMEOUT_MESSAGE = gettext_lazy(
    "Someone else is changing this project right now. Try again in a moment."
)


class Refused(Exception):
    """A service refused a request for a reason the person can act on.

    `message` is translated for them: pages show it, and the API answers `status_code` with
    `as_response_data()` — a subclass says what else its body carries."""

    status_code: int = status.HTTP_409_CONFLICT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def as_response_data(self) -> dict:
        return {"detail": self.message}


def is_lock_timeout(exception: Exception) -> bool:
    """A statement gave up waiting for a row lock (PostgreSQL's lock_timeout, set on every
    connection): someone else is changing the same record."""
    return isinstance(exception, OperationalError) and isinstance(
        exception.__cause__, pg_errors.LockNotAvailable
    )


def api_exception_handler(exception: Exception, context: dict) -> Response | None:
    """What every API endpoint answers when its view raised: a refusal with its own status and
    body, a service's ValidationError as a 400 with its field errors, a lock timeout as a 409,
    and the rest as DRF does (its own exceptions, Http404, Django's PermissionDenied)."""
    if isinstance(exception, Refused):
        set_rollback()
        return Response(exception.as_response_data(), status=exception.status_code)
    if is_lock_timeout(exception):
        set_rollback()
        body = {"detail": str(LOCK_TIMEOUT_MESSAGE), "code": "locked"}
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exception, ValidationError):
        exception = exceptions.ValidationError(detail=_field_errors(exception))
    return exception_handler(exception, context)


def _field_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}


def is_api_request(request: HttpRequest) -> bool:
    """Whether the request is addressed to the API, which answers JSON whatever happens."""
    return request.path_info.startswith(API_PREFIX)


def api_error(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": str(detail)}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_request(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return api_error(_("The request body is too large."), 400)
    return api_error(exceptions.ParseError.default_detail, 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_request(request):
        return defaults.permission_denied(request, exception)
    return api_error(exceptions.PermissionDenied.default_detail, 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_request(request):
        return defaults.page_not_found(request, exception)
    return api_error(exceptions.NotFound.default_detail, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    if not is_api_request(request):
        return defaults.server_error(request)
    return api_error(exceptions.APIException.default_detail, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW. DRF checks CSRF itself for a signed-in session and answers JSON; this
    covers any other view under /api/ that Django's CSRF middleware protects."""
    if not is_api_request(request):
        return csrf.csrf_failure(request, reason)
    return api_error(_("CSRF check failed. Reload the page and try again."), 403)
