"""Risk pages (to be built): register, matrix, portfolio."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404


risk_list_view = risk_form_view = risk_delete_view = portfolio_risks_view = _todo
