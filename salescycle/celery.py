"""The Celery application: broker, serialisation and limits come from settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescycle.settings")

app = Celery("salescycle")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
