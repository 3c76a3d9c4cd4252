from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("customers/", views.customer_list_view, name="customer_list"),
    path("customers/new/", views.customer_form_view, name="customer_create"),
    path("customers/<int:pk>/", views.customer_detail_view, name="customer_detail"),
    path("customers/<int:pk>/edit/", views.customer_form_view, name="customer_edit"),
]
