"""A zh-hans member types "@王" in a comment box: the autocomplete offers 王磊 by the Chinese
name people know them by, inserts what the server reads as a mention, and 王磊 is notified."""

import pytest
from playwright.sync_api import expect

from collaboration.models import Comment, Notification, NotificationKind
from projects.models import Stage, TeamRole
from tests.factories import ProjectFactory, ProjectMembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team(manager, member):
    member.language = "zh-hans"
    member.full_name = "陈静"
    member.save()
    project = ProjectFactory(owner=manager, name="港口 ERP", stage=Stage.EXECUTION)
    ProjectMembershipFactory(project=project, user=manager, role=TeamRole.OWNER)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.SOLUTION_LEAD)
    wang = UserFactory(username="wanglei", full_name="王磊")
    ProjectMembershipFactory(project=project, user=wang, role=TeamRole.MEMBER)
    other_wang = UserFactory(username="wangwu", full_name="王五")  # not on this team
    return project, wang, other_wang


def test_typing_a_chinese_name_offers_the_person_and_mentions_them(page, sign_in, member, team):
    project, wang, other_wang = team

    sign_in(member)
    page.goto(f"/projects/{project.pk}/")
    box = page.locator("textarea[data-mentions]")
    box.click()
    box.press_sequentially("请@王")
    options = page.locator(".mention-list [role=option]")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("王磊")
    box.press("Enter")
    box.press_sequentially("看一下报价")
    expect(box).to_have_value("请@wanglei 看一下报价")
    page.get_by_test_id("post-comment").click()

    # Posted, the mention reads as the person's name; the username is in its tooltip.
    expect(page.get_by_test_id("comment").last).to_contain_text("请@王磊 看一下报价")
    expect(page.get_by_test_id("comment").last.locator(".mention")).to_have_attribute(
        "title", "@wanglei"
    )
    comment = Comment.objects.get(project=project)
    assert list(comment.mentions.all()) == [wang]
    assert Notification.objects.filter(recipient=wang, kind=NotificationKind.MENTIONED).exists()
    assert not Notification.objects.filter(recipient=other_wang).exists()


def test_typing_the_start_of_a_username_still_offers_the_person(page, sign_in, member, team):
    project, wang, _other = team

    sign_in(member)
    page.goto(f"/projects/{project.pk}/")
    box = page.locator("textarea[data-mentions]")
    box.click()
    box.press_sequentially("@wang")

    expect(page.locator(".mention-list [role=option]")).to_have_count(1)
    expect(page.locator(".mention-list [role=option]").first).to_contain_text("王磊 (@wanglei)")
