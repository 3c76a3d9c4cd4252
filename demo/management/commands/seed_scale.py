import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.people import DEMO_PASSWORD
from demo.scale import Sizes, seed_scale, seeded_data
from demo.scale.plans import MIN_PROJECTS


class Command(BaseCommand):
    help = (
        "Build a large, realistic portfolio in bulk for the scale benchmark (PostgreSQL only): "
        "N projects over every stage and outcome with their stage history and records, and in "
        "proportion to N (the figures for 20,000) 500 users in 8 departments, 2,000 customers, "
        "200,000 tasks, 40,000 reviews, 60,000 risks and a year of daily KPI snapshots. The "
        "same --seed on the same day gives the same portfolio. Refuses to run on a database "
        "that already holds projects, customers or users of an earlier run, unless --reset: "
        "that first deletes every project and customer with everything recorded on them, all "
        "KPI snapshots and the users of the earlier run (other users are kept)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--projects",
            type=int,
            default=20_000,
            help=f"How many projects (default 20,000; at least {MIN_PROJECTS}).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the existing projects, customers, KPI snapshots and seeded users first.",
        )

    def handle(self, *args, projects: int, seed: int, reset: bool, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL: point DATABASE_URL at one.")
        if projects < MIN_PROJECTS:
            raise CommandError(
                f"Give at least {MIN_PROJECTS} projects, so that every stage and outcome has some."
            )
        found = {name: count for name, count in seeded_data().items() if count}
        if found and not reset:
            listed = ", ".join(f"{count:,} {name}" for name, count in found.items())
            raise CommandError(
                f"The database already holds {listed}. Run with --reset to delete every "
                "project and customer (with everything recorded on them), the KPI snapshots "
                "and the users of an earlier seed_scale first."
            )
        sizes = Sizes(projects)
        self.stdout.write(
            f"Seeding {projects:,} projects with seed {seed} "
            f"({sizes.users:,} users, {sizes.customers:,} customers) …"
        )
        started = time.monotonic()
        seeded = seed_scale(projects=projects, seed=seed, reset=reset)
        elapsed = time.monotonic() - started
        for name, count in seeded.counts.items():
            self.stdout.write(f"  {name:<20} {count:>10,}")
        self.stdout.write(self.style.SUCCESS(f"Portfolio ready in {elapsed:.1f} s."))
        self.stdout.write(
            f"Sign in with password '{DEMO_PASSWORD}' as director001, manager001 or member001. "
            f"Project {seeded.showcase.code} (pk {seeded.showcase.pk}) has the most tasks."
        )
        self.stdout.write("Run VACUUM ANALYZE before measuring, so the planner knows the new rows.")
