"""The customer admin saves through `customer_save` and `contact_add`, like the pages."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from customers.models import Customer
from tests.factories import CustomerFactory, UserFactory
from tests.html_forms import rendered_form

pytestmark = pytest.mark.django_db


def test_a_customer_added_in_the_admin_goes_through_the_service(client):
    director = UserFactory(username="dina-admin", role=Role.DIRECTOR, is_staff=True)
    director.is_superuser = True
    director.save()
    client.force_login(director)
    add = reverse("admin:customers_customer_add")
    form = rendered_form(client.get(add).content, id="customer_form")

    body = form.data(
        name="Harbour Logistics", industry="finance", region="east", website="https://例子.中国/"
    )
    body.update({"contacts-TOTAL_FORMS": ["1"], "contacts-0-name": ["Li Na"]})
    response = client.post(add, body)

    assert response.status_code == 302
    customer = Customer.objects.get(name="Harbour Logistics")
    assert customer.created_by == director  # set by customer_save
    assert customer.website == "https://xn--fsqu00a.xn--fiqs8s/"
    assert list(customer.contacts.values_list("name", flat=True)) == ["Li Na"]
    assert customer.history.get().history_user == director


def test_an_administrator_without_a_sales_role_reads_customers_only(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    customer = CustomerFactory(name="Quay Ltd")
    change = reverse("admin:customers_customer_change", args=[customer.pk])

    assert client.get(change).status_code == 200
    response = client.post(change, {"name": "Renamed"})

    assert response.status_code == 403
    assert Customer.objects.get(pk=customer.pk).name == "Quay Ltd"
