from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static


def floor(request: HttpRequest) -> HttpResponse:
    """The least a request can cost on this stack (middleware, session, user; no template):
    the benchmark's floor. Routed only with SERVER_TIMING on."""
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and crawlers ask for /favicon.ico on their own: send them to the SVG icon."""
    return redirect(static("favicon.svg"), permanent=True)
