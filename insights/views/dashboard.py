"""The director's dashboard: the portfolio's figures drawn as server-rendered SVG charts."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import Department
from customers.models import Industry, Region
from insights.dashboard import PERIODS, dashboard_filter_parse, director_dashboard
from monitoring.views.risks import GEOMETRY, _levels, _picture
from projects.access import possible_owners


@login_required
def director_dashboard_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_director:
        raise PermissionDenied
    filters = dashboard_filter_parse(request.GET)
    figures = director_dashboard(user=request.user, filters=filters)
    context = {
        "section": "dashboard",
        "filters": filters,
        "figures": figures,
        "periods": PERIODS,
        # The filter form's choices, there even before the first rollup.
        "departments": Department.objects.all(),
        "owners": possible_owners().order_by("full_name", "username"),
        "industries": Industry.choices,
        "regions": Region.choices,
    }
    if figures:
        since = figures["day"] - datetime.timedelta(days=filters.period - 1)
        portfolio = {
            "dimension": filters.dimension,
            "key": filters.key,
            "day_from": since.isoformat(),
            "day_to": figures["day"].isoformat(),
        }
        context["kpi_exports"] = {
            "portfolio": urlencode(portfolio),
            "projects": urlencode(filters.list_query),
        }
        matrix = figures["matrix"]
        context |= {
            "matrix": matrix,
            "matrix_rows": _picture(matrix, filters.risk_query, None),
            "levels": _levels(matrix),
            "geometry": GEOMETRY,
            "register_url": reverse("monitoring:portfolio_risks"),
        }
    return render(request, "insights/dashboard.html", context)
