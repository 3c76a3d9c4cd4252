from django.core.management.base import BaseCommand

from core.demo import DEMO_PASSWORD, seed_people


class Command(BaseCommand):
    help = "Create or refresh the demo data (idempotent: running it twice duplicates nothing)."

    def handle(self, *args, **options) -> None:
        from projects.demo import seed_projects

        users = seed_people()
        created = seed_projects()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {len(users)} users, {created} new projects.")
        )
        self.stdout.write(f"Sign in at http://127.0.0.1:8000/ with password '{DEMO_PASSWORD}' as:")
        for user in users:
            roles = ", ".join(str(role.label) for role in user.roles) or "superuser"
            self.stdout.write(f"  {user.username:<10} {roles:<15} {user.language}")
