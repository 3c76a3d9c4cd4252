"""The people and customers of the scale portfolio: users in the eight departments with their
roles, and the customers with a contact each."""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from accounts.models import Department, User
from accounts.roles import Role
from collaboration.models import NotificationKind, NotificationSetting
from customers.models import Contact, Customer, Industry, Region
from demo.people import DEMO_PASSWORD, seed_departments
from demo.scale.bulk import insert
from demo.scale.texts import (
    CITIES,
    CONTACT_TITLES,
    FIRST_NAMES,
    GIVEN_NAMES,
    INDUSTRY_ENDINGS,
    LAST_NAMES,
    NAME_CORES,
    OVERSEAS,
    SIZE_WEIGHTS,
    SURNAMES,
)

# Seeded people are recognised by this address domain (and removed by --reset).
EMAIL_DOMAIN = "scale.salescycle.local"
# Members by department, in turns: the iron triangle's departments (sales, solution,
# delivery) have three people for each one of the others. The first member is in solution.
MEMBER_TURNS = ["solution", "delivery", "sales", "marketing", "product", "customer_service"]
MEMBER_TURNS += ["finance", "legal", "solution", "delivery", "sales", "solution", "delivery"]
MEMBER_TURNS += ["sales"]
MANAGER_TURNS = ["sales", "sales", "marketing", "sales", "solution", "sales", "customer_service"]
MANAGER_TURNS += ["sales", "delivery", "sales"]
INDUSTRY_WEIGHTS = {
    Industry.MANUFACTURING: 14,
    Industry.FINANCE: 12,
    Industry.TELECOM: 7,
    Industry.ENERGY: 10,
    Industry.GOVERNMENT: 12,
    Industry.HEALTHCARE: 9,
    Industry.EDUCATION: 7,
    Industry.RETAIL: 8,
    Industry.TECHNOLOGY: 10,
    Industry.LOGISTICS: 7,
    Industry.OTHER: 4,
}


@dataclass
class People:
    directors: list[User]
    managers: list[User]
    members: list[User]
    departments: dict[str, Department]
    by_department: dict[str, list[User]] = field(default_factory=dict)

    @property
    def everyone(self) -> list[User]:
        return [*self.directors, *self.managers, *self.members]


def _full_name(rng: random.Random) -> tuple[str, str]:
    """A name and the language its bearer reads the interface in."""
    if rng.random() < 0.8:
        return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES), "zh-hans"
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", "en"


def people_create(
    *, directors: int, managers: int, members: int, joined: datetime.datetime, rng
) -> People:
    """Create the users with one role each, all with the demo's password (hashed once), and
    their e-mail notifications switched off: their addresses are made up."""
    departments = seed_departments()
    password = make_password(DEMO_PASSWORD)
    # role, username, department
    specs = [(Role.DIRECTOR, f"director{n:03d}", "sales") for n in range(1, directors + 1)]
    specs += [
        (Role.SALES_MANAGER, f"manager{n:03d}", MANAGER_TURNS[(n - 1) % len(MANAGER_TURNS)])
        for n in range(1, managers + 1)
    ]
    specs += [
        (Role.MEMBER, f"member{n:03d}", MEMBER_TURNS[(n - 1) % len(MEMBER_TURNS)])
        for n in range(1, members + 1)
    ]
    users = []
    for index, (_role, username, department) in enumerate(specs):
        full_name, language = _full_name(rng)
        user = User(
            username=username,
            email=f"{username}@{EMAIL_DOMAIN}",
            full_name=full_name,
            department=departments[department],
            language=language,
            password=password,
            date_joined=joined + datetime.timedelta(hours=index),
        )
        users.append(user)
    insert(User, users)
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    Membership = User.groups.through
    insert(
        Membership,
        [
            Membership(user_id=user.pk, group=groups[role])
            for user, (role, _username, _department) in zip(users, specs, strict=True)
        ],
    )
    insert(
        NotificationSetting,
        [
            NotificationSetting(user=user, kind=kind, by_email=False)
            for user in users
            for kind in NotificationKind.values
        ],
    )
    people = People(
        directors=users[:directors],
        managers=users[directors : directors + managers],
        members=users[directors + managers :],
        departments=departments,
    )
    for user in people.members:
        people.by_department.setdefault(user.department.code, []).append(user)
    return people


def _customer_name(industry: str, region: str | None, rng: random.Random) -> tuple[str, str]:
    """A name in `industry`, in `region` (or one drawn), and the region."""
    chinese, english = INDUSTRY_ENDINGS[industry]
    if region == Region.OVERSEAS or (region is None and rng.random() < 0.1):
        return f"{rng.choice(OVERSEAS)} {rng.choice(english)}", Region.OVERSEAS
    city, region = rng.choice([city for city in CITIES if region in (None, city[1])])
    return f"{city}{rng.choice(NAME_CORES)}{rng.choice(chinese)}", region


def customers_create(
    *, count: int, created_by: User, created_at: datetime.datetime, rng: random.Random
) -> list[Customer]:
    """`count` customers with unique names (in any case) over every industry and region, and a
    contact each."""
    taken: set[str] = set()
    customers = []
    industries, weights = list(INDUSTRY_WEIGHTS), list(INDUSTRY_WEIGHTS.values())
    for index in range(count):
        # The first customers cover every industry and every region, whatever the draws.
        if index < len(industries):
            industry = industries[index]
        else:
            industry = rng.choices(industries, weights=weights)[0]
        wanted = Region.values[index] if index < len(Region.values) else None
        name, region = _customer_name(industry, wanted, rng)
        attempt = 1
        while name.lower() in taken:
            attempt += 1
            candidate, region = _customer_name(industry, wanted, rng)
            name = candidate if attempt < 20 else f"{candidate} {attempt}"
        taken.add(name.lower())
        customers.append(
            Customer(
                name=name,
                industry=industry,
                region=region,
                size=rng.choices(list(SIZE_WEIGHTS), weights=list(SIZE_WEIGHTS.values()))[0],
                created_by=created_by,
                created_at=created_at + datetime.timedelta(minutes=index),
            )
        )
    insert(Customer, customers)
    contacts = []
    for number, customer in enumerate(customers):
        name, _language = _full_name(rng)
        contacts.append(
            Contact(
                customer=customer,
                name=name,
                title=rng.choice(CONTACT_TITLES),
                email=f"contact{number + 1}@customers.{EMAIL_DOMAIN}",
            )
        )
    insert(Contact, contacts)
    return customers
