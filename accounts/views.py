"""A person's own pages: the profile (API tokens) and the language switch."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from knox.settings import knox_settings

from accounts.api_tokens import api_token_revoke, api_tokens_of, api_tokens_revoke_all
from accounts.forms import LanguageForm
from accounts.services import user_language_set

TOKENS_PER_PAGE = 50


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The person's profile: their API tokens, one Revoke button each, and "Revoke all"."""
    if request.method == "POST":
        if "revoke_all" in request.POST:
            api_tokens_revoke_all(user=request.user)
            messages.success(request, _("All your API tokens are revoked."))
        elif token_key := request.POST.get("revoke"):
            if not api_token_revoke(user=request.user, token_key=token_key):
                raise Http404
            messages.success(
                request, _("Token revoked. The program that used it must sign in again.")
            )
        else:
            return HttpResponseBadRequest(_("Nothing to revoke."))
        return redirect("profile")
    page = Paginator(api_tokens_of(request.user), TOKENS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "token_days": knox_settings.TOKEN_TTL.days}
    return render(request, "accounts/profile.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in user's choice is saved on their profile."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Unknown language."))
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
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
