from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.fields import ModelSerializer
from customers.models import Contact, Customer

# --- customers -----------------------------------------------------------------------------------
CUSTOMER_NAME_TAKEN = _("A customer with this name already exists.")


class CustomerSerializer(ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name", "industry", "region", "size", "website", "notes", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_name(self, name: str) -> str:
        # The database constraint is on lower(name); say so next to the field, not with a 500.
        clash = Customer.objects.annotate(lower=Lower("name")).filter(lower=name.lower())
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(CUSTOMER_NAME_TAKEN, code="unique")
        return name


class ContactSerializer(ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "customer", "name", "title", "phone", "email", "notes"]
        read_only_fields = ["id", "customer"]
