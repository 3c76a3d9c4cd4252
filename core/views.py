from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import home as home_selectors
from .forms import LanguageForm


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {"member_home": home_selectors.member_home(user)}
    if user.is_sales_manager:
        context["manager_home"] = home_selectors.manager_home(user)
    if user.is_director:
        context["director_home"] = home_selectors.director_home(user)
    return render(request, "core/home.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in user's choice is saved on their profile."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Unknown language."))
    language = form.cleaned_data["language"]
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    target = form.cleaned_data["next"] or request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    translation.activate(language)
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        samesite="Lax",
    )
    return response


def floor(request: HttpRequest) -> HttpResponse:
    """The least a request can cost on this stack (middleware, session, user; no template):
    the benchmark's floor. Routed only with SERVER_TIMING on."""
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and crawlers ask for /favicon.ico on their own: send them to the SVG icon."""
    return redirect(static("favicon.svg"), permanent=True)
