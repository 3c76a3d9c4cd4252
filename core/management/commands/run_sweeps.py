from django.core.management.base import BaseCommand

from core.sweeps import sweeps_run


class Command(BaseCommand):
    help = (
        "Run the periodic sweeps now, in this process: review reminders, overdue tasks and "
        "reviews, stuck projects, next reviews, pending e-mails."
    )

    def handle(self, *args, **options) -> None:
        failed = False
        for name, result in sweeps_run().items():
            if isinstance(result, Exception):
                failed = True
                self.stderr.write(f"{name}: failed ({result})")
            else:
                self.stdout.write(f"{name}: {result}")
        if failed:
            raise SystemExit(1)
