"""The customer pages, submitted as a browser would: the form a page rendered, in Chinese. The
rules are the services' (one name per customer, who may add a contact); the page shows them."""

import pytest
from django.urls import reverse

from customers.models import Customer
from tests.factories import CustomerFactory
from tests.html_forms import rendered_forms

pytestmark = pytest.mark.django_db


def _signed_in_in_chinese(client, user):
    user.language = "zh-hans"
    user.save()
    client.force_login(user)
    return client


def _form_with(html, field: str):
    """The one form of the page holding `field` (the page also has the language switcher and
    the sign-out form)."""
    found = [form for form in rendered_forms(html) if field in form.names]
    assert len(found) == 1
    return found[0]


def test_a_name_taken_in_another_case_is_refused_next_to_the_name(client, manager):
    CustomerFactory(name="Harbour Logistics")
    client = _signed_in_in_chinese(client, manager)
    url = reverse("customers:customer_create")
    form = _form_with(client.get(url).content, "name")

    response = client.post(
        url, form.data(name="HARBOUR LOGISTICS", industry="finance", region="east")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_name_error"' in page
    assert "已存在同名客户。" in page
    assert Customer.objects.count() == 1


def test_renaming_a_customer_keeps_what_the_form_rendered(client, manager):
    customer = CustomerFactory(name="River Foods", website="https://river.example")
    client = _signed_in_in_chinese(client, manager)
    url = reverse("customers:customer_edit", args=[customer.pk])
    form = _form_with(client.get(url).content, "name")

    response = client.post(url, form.data(name="RIVER FOODS"))

    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.website) == ("RIVER FOODS", "https://river.example")


def test_a_contact_is_added_from_the_customer_page(client, manager):
    customer = CustomerFactory()
    client = _signed_in_in_chinese(client, manager)
    url = customer.get_absolute_url()
    form = _form_with(client.get(url).content, "contact-name")

    response = client.post(url, form.data(**{"contact-name": "王经理"}), follow=True)

    assert "联系人已添加。" in response.content.decode()
    assert list(customer.contacts.values_list("name", flat=True)) == ["王经理"]
