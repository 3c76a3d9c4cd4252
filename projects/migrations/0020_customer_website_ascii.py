from django.core.exceptions import ValidationError
from django.db import migrations

from core.text import ascii_url


def websites_as_uris(apps, schema_editor):
    """Websites stored with non-ASCII characters, rewritten as the API documents them (a URI);
    one that would no longer fit is cleared rather than cut."""
    Customer = apps.get_model("projects", "Customer")
    for customer in Customer.objects.exclude(website="").only("pk", "website"):
        if customer.website.isascii():
            continue
        try:
            customer.website = ascii_url(customer.website, max_length=300)
        except ValidationError:
            customer.website = ""
        customer.save(update_fields=["website"])


class Migration(migrations.Migration):
    dependencies = [("projects", "0019_dates_in_window")]

    operations = [migrations.RunPython(websites_as_uris, migrations.RunPython.noop)]
