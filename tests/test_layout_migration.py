"""A database made at the old layout migrates to the apps of today with every table and row.

Until issue 17 every model lived in `core`, `collaboration` or `projects`; users, departments,
customers, reviews, risks, KPI snapshots and import previews then moved to `accounts`,
`customers`, `monitoring`, `insights` and `dataio`, the project team from `collaboration` to
`projects`, without their tables moving. This builds a
PostgreSQL database of its own in a child process, stops it at the last migration of the old
layout, fills every moved model through the models as they were then (the migration state),
puts back what such a database recorded — no `accounts` migration applied, the content types
under the old apps — and runs `manage.py migrate` as a deployment would. Then it reads the same
rows through today's models."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.processes import database_url

ROOT = Path(__file__).resolve().parent.parent

# The last migration of each app before the layout moved models out of it.
OLD_LAYOUT = [
    ("core", "0006_forget_drf_tokens"),
    ("collaboration", "0016_history_append_only"),
    ("projects", "0021_history_append_only"),
]

# Model (old app, model name) → today's app, for the content types.
MOVED = {
    ("core", "user"): "accounts",
    ("collaboration", "department"): "accounts",
    ("projects", "customer"): "customers",
    ("projects", "contact"): "customers",
    ("projects", "historicalcustomer"): "customers",
    ("projects", "risk"): "monitoring",
    ("projects", "reviewmeeting"): "monitoring",
    ("projects", "reviewactionitem"): "monitoring",
    ("projects", "projectsnapshot"): "insights",
    ("projects", "portfoliosnapshot"): "insights",
    ("projects", "kpirun"): "insights",
    ("projects", "importbatch"): "dataio",
    ("collaboration", "projectmembership"): "projects",
    ("collaboration", "historicalprojectmembership"): "projects",
}

FILL = f"""
import datetime
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

old = MigrationExecutor(connection).loader.project_state({OLD_LAYOUT!r}).apps
model = old.get_model
now = timezone.now()
today = now.date()

department = model("collaboration", "Department").objects.create(
    code="presales", name_zh="售前", name_en="Presales"
)
# The user model of the old layout is core.User; in the migration state it is already the
# swapped-in one, on the same table (core_user).
user = model("accounts", "User").objects.create(
    username="old-timer", password="!", full_name="李老", department_id=department.pk
)
customer = model("projects", "Customer").objects.create(
    name="长江制造", industry="manufacturing", region="east", created_by=user
)
model("projects", "HistoricalCustomer").objects.create(
    id=customer.pk, name=customer.name, industry=customer.industry, region=customer.region,
    created_at=now, history_date=now, history_type="+", history_user=user,
)
contact = model("projects", "Contact").objects.create(customer=customer, name="王经理")
project = model("projects", "Project").objects.create(
    code="SP-2026-0001", name="MES 升级", customer=customer, owner=user
)
risk = model("projects", "Risk").objects.create(
    project=project, title="预算冻结", category="commercial", probability=4, impact=5, owner=user,
    created_by=user,
)
review = model("projects", "ReviewMeeting").objects.create(
    project=project, scheduled_for=now, created_by=user
)
review.attendees.add(user)
model("projects", "ReviewActionItem").objects.create(
    review=review, title="约见采购", due_date=today, owner=user
)
model("projects", "ProjectSnapshot").objects.create(
    project=project, day=today, stage="initiation", days_in_stage=3, health="green"
)
model("projects", "PortfolioSnapshot").objects.create(day=today, dimension="all")
model("projects", "KpiRun").objects.create(started_by=user)
model("projects", "ImportBatch").objects.create(rows=[], checksum="c0ffee", created_by=user)
model("collaboration", "Interaction").objects.create(
    customer=customer, contact=contact, project=project, user=user, kind="call",
    occurred_on=today, summary="电话沟通",
)
model("collaboration", "Task").objects.create(
    project=project, title="需求调研", stage="initiation", department=department
)
model("collaboration", "ProjectMembership").objects.create(
    project=project, user=user, department=department, role="account_lead"
)
model("projects", "ResourceAllocation").objects.create(
    project=project, kind="people", description="售前支持", department=department
)

# A database of the old layout named the moved models' content types after their old apps
# only (stepping through the migrations here made both)…
content_types = model("contenttypes", "ContentType").objects
for (app, name), new in {MOVED!r}.items():
    if content_types.filter(app_label=app, model=name).exists():
        model("auth", "Permission").objects.filter(
            content_type__app_label=new, content_type__model=name
        ).delete()
        content_types.filter(app_label=new, model=name).delete()
    else:
        content_types.filter(app_label=new, model=name).update(app_label=app)
# …and never recorded an accounts migration.
with connection.cursor() as cursor:
    cursor.execute("DELETE FROM django_migrations WHERE app = 'accounts'")
print("filled")
"""

READ = """
import django
django.setup()
from django.contrib.contenttypes.models import ContentType
from accounts.models import Department, User
from collaboration.models import Interaction, Task
from customers.models import Contact, Customer
from dataio.models import ImportBatch
from insights.models import KpiRun, PortfolioSnapshot, ProjectSnapshot
from monitoring.models import ReviewActionItem, ReviewMeeting, Risk
from projects.models import Project, ProjectMembership, ResourceAllocation

user = User.objects.get(username="old-timer")
project = Project.objects.get(code="SP-2026-0001")
review = ReviewMeeting.objects.get(project=project)
interaction = Interaction.objects.get(project=project)
print("user", user.full_name, user.department.code)
print("departments", Department.objects.count())
print("customer", project.customer.name, Customer.objects.count(), Customer.history.count())
print("contact", Contact.objects.get().customer_id == project.customer_id)
print("risk", Risk.objects.get().title, Risk.objects.get().owner == user)
print("review", review.attendees.get() == user, ReviewActionItem.objects.get().review == review)
snapshot = ProjectSnapshot.objects.get()
print("snapshots", snapshot.project == project, PortfolioSnapshot.objects.count())
print("kpi run", KpiRun.objects.get().started_by == user)
print("import", ImportBatch.objects.get().checksum)
print("interaction", interaction.customer.name, interaction.contact.name)
print("task", Task.objects.get().department.code)
print("allocation", ResourceAllocation.objects.get().department.code)
membership = ProjectMembership.objects.get()
print("team", membership.user == user, membership.role, project.memberships.count())
print("content types", sorted({ct.app_label for ct in ContentType.objects.filter(
    model__in=["user", "department", "customer", "contact", "risk", "reviewmeeting", "kpirun",
               "projectsnapshot", "portfoliosnapshot", "importbatch", "reviewactionitem",
               "projectmembership"]
)}))
"""


@pytest.fixture
def old_layout_database():
    """A PostgreSQL database of its own, dropped afterwards."""
    base = database_url()
    name = f"sc_layout_{os.getpid()}"
    admin_url = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield base.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_a_database_of_the_old_layout_keeps_every_row_in_the_new_apps(old_layout_database):
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env |= {"DATABASE_URL": old_layout_database, "DJANGO_SETTINGS_MODULE": "tests.settings"}

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return done.stdout

    for app, migration in OLD_LAYOUT:
        run("manage.py", "migrate", app, migration, "--noinput", "-v0")
    assert "filled" in run("-c", FILL)

    migrated = run("manage.py", "migrate", "--noinput")
    assert "The user model moved to accounts: its first migration is recorded." in migrated
    assert "Applying monitoring.0001_initial... OK" in migrated

    read = run("-c", READ).splitlines()
    assert read == [
        "user 李老 presales",
        "departments 1",
        "customer 长江制造 1 1",
        "contact True",
        "risk 预算冻结 True",
        "review True True",
        "snapshots True 1",
        "kpi run True",
        "import c0ffee",
        "interaction 长江制造 王经理",
        "task presales",
        "allocation presales",
        "team True account_lead 1",
        "content types ['accounts', 'customers', 'dataio', 'insights', 'monitoring', 'projects']",
    ]
    # Nothing left to migrate, and a second run changes nothing.
    assert "No migrations to apply." in run("manage.py", "migrate", "--noinput")
