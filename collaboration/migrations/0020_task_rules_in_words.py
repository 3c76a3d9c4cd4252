# The task rules say what is wrong in the words pages and the API show; no SQL.

import django.core.validators
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_managers"),
        ("collaboration", "0019_team_to_projects"),
        ("projects", "0027_team_from_collaboration"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicaltask",
            name="progress",
            field=models.PositiveSmallIntegerField(
                default=0,
                validators=[
                    django.core.validators.MaxValueValidator(
                        100, "Progress is a percentage from 0 to 100."
                    )
                ],
                verbose_name="progress (%)",
            ),
        ),
        migrations.AlterField(
            model_name="task",
            name="progress",
            field=models.PositiveSmallIntegerField(
                default=0,
                validators=[
                    django.core.validators.MaxValueValidator(
                        100, "Progress is a percentage from 0 to 100."
                    )
                ],
                verbose_name="progress (%)",
            ),
        ),
        migrations.AlterConstraint(
            model_name="task",
            name="task_progress_at_most_100",
            constraint=models.CheckConstraint(
                condition=models.Q(("progress__lte", 100)),
                name="task_progress_at_most_100",
                violation_error_message="Progress is a percentage from 0 to 100.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="task",
            name="task_due_not_before_start",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("start_date__isnull", True),
                    ("due_date__isnull", True),
                    ("due_date__gte", models.F("start_date")),
                    _connector="OR",
                ),
                name="task_due_not_before_start",
                violation_error_message="The due date cannot be before the start date.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="task",
            name="task_estimate_not_negative",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("estimate_hours__isnull", True), ("estimate_hours__gte", 0), _connector="OR"
                ),
                name="task_estimate_not_negative",
                violation_error_message="The estimate cannot be negative.",
            ),
        ),
    ]
