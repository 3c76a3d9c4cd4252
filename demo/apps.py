from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """`seed_demo` and `seed_scale`: demo and benchmark data, not installed in production."""

    name = "demo"
    verbose_name = _("Demo data")
