"""Who may change customers and their contacts."""

from accounts.models import User


def can_edit_customers(user: User) -> bool:
    return user.is_authenticated and (user.is_director or user.is_sales_manager)
