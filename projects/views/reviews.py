"""Review pages (to be built): list and calendar, review page, minutes, portfolio."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404


review_list_view = review_create_view = review_detail_view = review_edit_view = _todo
review_prepare_view = review_action_add_view = review_actions_to_tasks_view = _todo
review_hold_view = review_minutes_view = review_delete_view = portfolio_reviews_view = _todo
