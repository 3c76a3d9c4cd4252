"""Demo people: the departments of a sales organisation and one user per role and department.

Idempotent: records are found by their natural keys and brought up to date, never duplicated.
"""

from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Department, User
from accounts.roles import Role

DEMO_PASSWORD = "salescycle-demo"


class Said(NamedTuple):
    """A demo text in Chinese and in English. A demo project is written in one language, its
    owner's: Chinese projects wholly in Chinese, English ones wholly in English."""

    zh: str
    en: str

    def in_language(self, language: str) -> str:
        return self.en if language == "en" else self.zh

    def for_project(self, project) -> str:
        return self.in_language(user_language(project.owner))


def user_language(user: User) -> str:
    """The demo language of a person, so of the projects they own: English or Chinese."""
    return "en" if user.language == "en" else "zh-hans"


DEPARTMENTS = [
    # code, Chinese name, English name
    ("sales", "销售部", "Sales"),
    ("marketing", "市场部", "Marketing"),
    ("product", "产品部", "Product"),
    ("solution", "解决方案部", "Solution"),
    ("delivery", "交付部", "Delivery"),
    ("customer_service", "客户服务部", "Customer service"),
    ("finance", "财务部", "Finance"),
    ("legal", "法务部", "Legal"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role | None
    department: str | None
    language: str
    email: str = ""


DEMO_USERS = [
    DemoUser("director", "周志远", Role.DIRECTOR, "sales", "zh-hans"),
    DemoUser("manager", "李娜", Role.SALES_MANAGER, "sales", "zh-hans"),
    DemoUser("manager2", "Emma Clarke", Role.SALES_MANAGER, "sales", "en"),
    DemoUser("member", "王磊", Role.MEMBER, "solution", "zh-hans"),
    DemoUser("member2", "James Miller", Role.MEMBER, "delivery", "en"),
    DemoUser("member3", "陈静", Role.MEMBER, "finance", "zh-hans"),
    DemoUser("member4", "刘洋", Role.MEMBER, "marketing", "zh-hans"),
    DemoUser("member5", "Sofia Rossi", Role.MEMBER, "legal", "en"),
    DemoUser("member6", "赵敏", Role.MEMBER, "product", "zh-hans"),
    DemoUser("member7", "黄磊", Role.MEMBER, "customer_service", "zh-hans"),
]


@transaction.atomic
def seed_departments() -> dict[str, Department]:
    """Create or update the eight standard departments."""
    departments = {}
    for order, (code, name_zh, name_en) in enumerate(DEPARTMENTS):
        departments[code], _ = Department.objects.update_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en, "sort_order": order}
        )
    return departments


@transaction.atomic
def seed_people() -> list[User]:
    """Create or update the demo users (and an `admin` superuser), all with DEMO_PASSWORD."""
    departments = seed_departments()
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    users = []
    for spec in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=spec.username,
            defaults={
                "full_name": spec.full_name,
                "email": spec.email or f"{spec.username}@demo.salescycle.local",
                "department": departments.get(spec.department),
                "language": spec.language,
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.set([groups[spec.role.value]] if spec.role else [])
        users.append(user)
    admin, _ = User.objects.update_or_create(
        username="admin",
        defaults={
            "full_name": "Administrator",
            "email": "admin@demo.salescycle.local",
            "language": "en",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    admin.set_password(DEMO_PASSWORD)
    admin.save(update_fields=["password"])
    users.append(admin)
    return users
