"""What the apps above `customers` add to the customer page, registered in their
AppConfig.ready: the projects of the customer (projects), the interaction log
(collaboration). `customers` imports none of them (STYLE rule 11)."""

from collections.abc import Callable

from django.http import HttpRequest

from .models import Customer

# A panel returns the template context it adds to the customer page.
CustomerPanel = Callable[[HttpRequest, Customer], dict]
customer_panels: list[CustomerPanel] = []


def customer_panel_register(panel: CustomerPanel) -> None:
    """Add `panel` to the customer page, after those registered before it (once)."""
    if panel not in customer_panels:
        customer_panels.append(panel)


def panels_context(request: HttpRequest, customer: Customer) -> dict:
    """The context every registered panel adds, in the order they were registered."""
    context: dict = {}
    for panel in customer_panels:
        context.update(panel(request, customer))
    return context
