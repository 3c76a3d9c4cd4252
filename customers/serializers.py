from core.fields import ModelSerializer
from customers.models import Contact, Customer


class CustomerSerializer(ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name", "industry", "region", "size", "website", "notes", "created_at"]
        read_only_fields = ["id", "created_at"]


class ContactSerializer(ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "customer", "name", "title", "phone", "email", "notes"]
        read_only_fields = ["id", "customer"]
