"""Customers and their contacts in the API: everyone signed in reads them, directors and sales
managers write them."""

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, permissions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import (
    DENIED,
    ERRORS,
    MISSING,
    StableOrderingFilter,
    UserLanguageMixin,
)
from customers.access import can_edit_customers
from customers.filters import CustomerFilter
from customers.models import Contact, Customer
from customers.serializers import ContactSerializer, CustomerSerializer
from customers.services import contact_add, customer_save


class CustomerWritePermission(permissions.BasePermission):
    """Everyone signed in reads customers; directors and sales managers write them."""

    def has_permission(self, request: Request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or can_edit_customers(request.user)


@extend_schema(tags=["customers"])
@extend_schema_view(
    create=extend_schema(responses={201: CustomerSerializer, 400: ERRORS, 403: DENIED}),
    update=extend_schema(responses={200: CustomerSerializer, 400: ERRORS, 403: DENIED}),
    partial_update=extend_schema(responses={200: CustomerSerializer, 400: ERRORS, 403: DENIED}),
)
class CustomerViewSet(
    UserLanguageMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    permission_classes = [permissions.IsAuthenticated, CustomerWritePermission]
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = CustomerFilter
    ordering_fields = ["name", "industry", "region", "created_at"]
    ordering = ["name"]

    def _save(self, serializer, customer: Customer) -> None:
        for name, value in serializer.validated_data.items():
            setattr(customer, name, value)
        serializer.instance = customer_save(customer=customer, actor=self.request.user)

    def perform_create(self, serializer) -> None:
        self._save(serializer, Customer())

    def perform_update(self, serializer) -> None:
        self._save(serializer, serializer.instance)


class OfOneCustomer:
    """A list under /customers/{customer_pk}/: the customer, read once (404 if there is none)."""

    kwargs: dict

    def get_customer(self) -> Customer:
        if not hasattr(self, "_customer"):
            self._customer = get_object_or_404(Customer, pk=self.kwargs["customer_pk"])
        return self._customer


@extend_schema(tags=["customers"])
class ContactListView(OfOneCustomer, UserLanguageMixin, generics.ListCreateAPIView):
    """The contacts of one customer."""

    serializer_class = ContactSerializer
    permission_classes = [permissions.IsAuthenticated, CustomerWritePermission]
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contact.objects.none()
        return Contact.objects.filter(customer=self.get_customer())

    @extend_schema(responses={201: ContactSerializer, 400: ERRORS, 403: DENIED, 404: MISSING})
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        contact = Contact(**serializer.validated_data)
        serializer.instance = contact_add(
            customer=self.get_customer(), contact=contact, actor=self.request.user
        )
