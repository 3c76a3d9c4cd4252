"""Writes of customers and contacts: every page, API call, import and seed goes through these."""

from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from core.history import records_actor
from core.text import ascii_url
from customers.access import can_edit_customers
from customers.models import CUSTOMER_NAME_TAKEN, NAME_UNIQUE, Contact, Customer


def website_as_uri(website: str | None) -> str:
    """A customer's website as stored: a URI, what the API documents (an international name in
    punycode); ValidationError if it cannot be one within the field's length."""
    max_length = cast(int, Customer._meta.get_field("website").max_length)
    return ascii_url(website or "", max_length=max_length)


@records_actor
def customer_save(*, customer: Customer, actor: User) -> Customer:
    """Create or update a customer (directors and sales managers). Its name is unique in any case;
    its website is stored as a URI (`website_as_uri`)."""
    if not can_edit_customers(actor):
        raise PermissionDenied
    try:
        customer.website = website_as_uri(customer.website)
    except ValidationError as error:
        raise ValidationError({"website": error.messages}) from None
    clash = Customer.objects.named(customer.name).exclude(pk=customer.pk)
    if clash.exists():
        raise ValidationError({"name": [CUSTOMER_NAME_TAKEN]})
    if customer.pk is None:
        customer.created_by = actor
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as error:
        # Two requests with the same new name at once: the constraint catches the second.
        if getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") != NAME_UNIQUE:
            raise
        raise ValidationError({"name": [CUSTOMER_NAME_TAKEN]}) from None
    return customer


@records_actor
def contact_add(*, customer: Customer, contact: Contact, actor: User) -> Contact:
    """Add a contact to a customer (directors and sales managers)."""
    if not can_edit_customers(actor):
        raise PermissionDenied
    contact.customer = customer
    contact.save()
    return contact
