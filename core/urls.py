from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from . import health, views
from .auth import OwnPasswordChangeForm, SignInForm

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("language/", views.set_language, name="set_language"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(form_class=OwnPasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/profile/", views.profile, name="profile"),
]
if settings.SERVER_TIMING:
    urlpatterns.append(path("_bench/floor", views.floor, name="bench_floor"))
