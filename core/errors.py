"""Error responses Django itself produces — no route matched, a body too large, a bad host, a
failed CSRF check, an unhandled exception — as JSON under /api/ and as our pages elsewhere.

DRF views answer their own errors in JSON; these handlers cover what happens before or
outside a DRF view, so that an API client never has to read an HTML page. The wording is
DRF's own where it has one (translated in its catalogue), so a 404 reads the same whether
the URL matched no route or named a record that does not exist.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import csrf, defaults
from rest_framework import exceptions

API_PREFIX = "/api/"


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
