from django.core.management.commands.migrate import Command as MigrateCommand

from accounts.migration_history import user_model_moved_in


class Command(MigrateCommand):
    """Django's migrate, after carrying a database made before the user model moved to
    `accounts` over the move (accounts/migration_history.py)."""

    def handle(self, *args, **options):
        if user_model_moved_in(options["database"]):
            self.stdout.write("The user model moved to accounts: its first migration is recorded.")
        return super().handle(*args, **options)
