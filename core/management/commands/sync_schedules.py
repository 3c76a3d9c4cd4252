from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand
from django_celery_beat.schedulers import DatabaseScheduler


class Command(BaseCommand):
    help = "Copy CELERY_BEAT_SCHEDULE into django-celery-beat's tables (visible in the admin)."

    def handle(self, *args, **options) -> None:
        scheduler = DatabaseScheduler(app=current_app, lazy=True)
        scheduler.update_from_dict(settings.CELERY_BEAT_SCHEDULE)
        names = ", ".join(sorted(settings.CELERY_BEAT_SCHEDULE))
        self.stdout.write(self.style.SUCCESS(f"Periodic tasks in place: {names}."))
