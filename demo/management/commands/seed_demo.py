from django.core.management.base import BaseCommand

from core.site import served_url
from demo.people import DEMO_PASSWORD, seed_people


class Command(BaseCommand):
    help = "Create or refresh the demo data (idempotent: running it twice duplicates nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--people-only",
            action="store_true",
            help="Only the departments and demo users, not the projects (seconds, not a minute).",
        )

    def handle(self, *args, people_only: bool = False, **options) -> None:
        from demo.projects import seed_projects

        users = seed_people()
        created = 0 if people_only else seed_projects()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {len(users)} users, {created} new projects.")
        )
        # The address `make demo` serves (HOST and PORT, passed on by the Makefile).
        self.stdout.write(f"Sign in at {served_url()}/ with password '{DEMO_PASSWORD}' as:")
        for user in users:
            roles = ", ".join(str(role.label) for role in user.roles) or "superuser"
            self.stdout.write(f"  {user.username:<10} {roles:<15} {user.language}")
