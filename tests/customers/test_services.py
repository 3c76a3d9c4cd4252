"""Customers and contacts are written through their services, which hold the rules: who may write
them, and one customer per name in any case — whoever calls (a page, the API, an import)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from customers.models import CUSTOMER_NAME_TAKEN, Contact, Customer
from customers.services import contact_add, customer_save
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_name_taken_in_another_case_is_refused_on_the_name(manager):
    CustomerFactory(name="Harbour Logistics")

    with pytest.raises(ValidationError) as refused:
        customer_save(
            customer=Customer(name="HARBOUR logistics", industry="finance"), actor=manager
        )

    assert refused.value.message_dict == {"name": [str(CUSTOMER_NAME_TAKEN)]}
    assert Customer.objects.named("harbour logistics").count() == 1


def test_renaming_onto_another_customer_is_refused_and_changes_nothing(manager):
    CustomerFactory(name="Harbour Logistics")
    other = CustomerFactory(name="River Foods")

    other.name = "harbour logistics"
    with pytest.raises(ValidationError):
        customer_save(customer=other, actor=manager)

    assert Customer.objects.get(pk=other.pk).name == "River Foods"


def test_a_customer_keeps_its_own_name_in_another_case(manager):
    customer = CustomerFactory(name="River Foods")

    customer.name = "RIVER FOODS"
    customer_save(customer=customer, actor=manager)

    assert Customer.objects.get(pk=customer.pk).name == "RIVER FOODS"


def test_named_finds_a_customer_in_any_case():
    customer = CustomerFactory(name="长江制造 Ltd")

    assert list(Customer.objects.named("长江制造 LTD")) == [customer]
    assert not Customer.objects.named("长江制造").exists()


def test_a_member_may_not_add_a_contact(member):
    customer = CustomerFactory()

    with pytest.raises(PermissionDenied):
        contact_add(customer=customer, contact=Contact(name="王经理"), actor=member)

    assert not customer.contacts.exists()


def test_a_manager_adds_a_contact_to_the_customer(manager):
    customer = CustomerFactory()

    contact = contact_add(customer=customer, contact=Contact(name="王经理"), actor=manager)

    assert contact.customer == customer
    assert list(customer.contacts.values_list("name", flat=True)) == ["王经理"]
