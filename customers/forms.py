from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import short_text
from customers.models import Contact, Customer


class CustomerForm(forms.ModelForm):
    website = forms.URLField(
        label=_("website"), max_length=300, required=False, assume_scheme="https"
    )

    class Meta:
        model = Customer
        fields = ["name", "industry", "region", "size", "website", "notes"]
        widgets = {"notes": short_text()}


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email", "notes"]
        widgets = {"notes": short_text(2)}
