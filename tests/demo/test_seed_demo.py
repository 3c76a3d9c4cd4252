from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Department, User
from accounts.roles import Role
from demo.people import DEMO_PASSWORD, DEMO_USERS

# The demo seeded once for the session, put back for this module (tests/seeded_demo.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_seed_demo_is_idempotent():
    counts = (User.objects.count(), Department.objects.count())

    call_command("seed_demo", stdout=StringIO())

    assert (User.objects.count(), Department.objects.count()) == counts
    assert Department.objects.count() == 8


def test_demo_users_have_roles_departments_and_the_documented_password():
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        assert user.check_password(DEMO_PASSWORD)
        assert user.roles == [spec.role]
        assert user.department.code == spec.department
    assert User.objects.get(username="director").has_role(Role.DIRECTOR)
    assert User.objects.get(username="manager").is_sales_manager
    assert User.objects.get(username="admin").is_superuser
