"""The home page: what each role needs first."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from insights import home as home_selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {"member_home": home_selectors.member_home(user)}
    if user.is_sales_manager:
        context["manager_home"] = home_selectors.manager_home(user)
    if user.is_director:
        context["director_home"] = home_selectors.director_home(user)
    return render(request, "insights/home.html", context)
