from django.db import migrations

# stage, norm in days, win probability (%) used for weighted pipeline
DEFAULTS = [
    ("initiation", 14, 10),
    ("goal_setting", 7, 20),
    ("resource_allocation", 10, 30),
    ("strategy", 14, 40),
    ("execution", 60, 60),
    ("monitoring", 14, 70),
    ("closure", 14, 90),
]


def create_policies(apps, schema_editor):
    StagePolicy = apps.get_model("projects", "StagePolicy")
    for stage, norm_days, probability in DEFAULTS:
        StagePolicy.objects.get_or_create(
            stage=stage, defaults={"norm_days": norm_days, "win_probability": probability}
        )


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(create_policies, migrations.RunPython.noop)]
