"""What the apps above `customers` add to the customer page, registered in their
AppConfig.ready: the projects of the customer (projects), the interaction log
(collaboration). `customers` imports none of them (STYLE rule 11)."""

from collections.abc import Callable

from django.http import HttpRequest

from core.registry import Panels

from .models import Customer

# Each panel returns the template context it adds to the customer page, in the order the apps
# registered them (`customer_panel_register`); `panels_context` calls them all.
CustomerPanel = Callable[[HttpRequest, Customer], dict]
customer_panels = Panels()
customer_panel_register = customer_panels.register
panels_context = customer_panels.context
