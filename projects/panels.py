"""What projects adds to the customer page, registered in ProjectsConfig.ready: the
customer's projects the person may see, newest first."""

from django.http import HttpRequest

from customers.models import Customer

from .access import projects_visible_to


def customer_projects_panel(request: HttpRequest, customer: Customer) -> dict:
    projects = projects_visible_to(
        request.user, customer.projects.select_related("owner")
    ).order_by("-created_at")
    return {"projects": list(projects)}
