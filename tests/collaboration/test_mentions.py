"""@mentions in Chinese: what the autocomplete offers and inserts is what the server reads —
a member is mentioned by username or by the name people see (王磊), Chinese text may follow
without a space, and the candidates reach the page safely."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from collaboration import services
from collaboration.selectors import mention_candidates
from projects.models import TeamRole
from tests.factories import ProjectMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wang(project):
    return ProjectMembershipFactory(
        project=project, user__username="wanglei", user__full_name="王磊", role=TeamRole.MEMBER
    ).user


@pytest.fixture
def li_na(project):
    """A username in Chinese, which Django's username rules allow."""
    return ProjectMembershipFactory(
        project=project, user__username="李娜", user__full_name="", role=TeamRole.MEMBER
    ).user


def mentioned(comment) -> set[str]:
    return {user.username for user in comment.mentions.all()}


def test_what_the_autocomplete_inserts_is_a_mention(project, team_member, wang):
    comment = services.comment_post(project=project, actor=team_member, body="请@wanglei 看一下")

    assert mentioned(comment) == {"wanglei"}


def test_a_chinese_name_typed_by_hand_is_a_mention(project, team_member, wang):
    comment = services.comment_post(project=project, actor=team_member, body="请@王磊看一下报价")

    assert mentioned(comment) == {"wanglei"}


def test_a_chinese_username_is_a_mention_with_text_after_it(project, team_member, li_na):
    comment = services.comment_post(project=project, actor=team_member, body="请@李娜看一下")

    assert mentioned(comment) == {"李娜"}


def test_a_latin_username_followed_by_chinese_is_still_read(project, team_member, wang):
    comment = services.comment_post(project=project, actor=team_member, body="@wanglei请看")

    assert mentioned(comment) == {"wanglei"}


def test_a_longer_latin_name_is_not_read_as_a_shorter_member(project, team_member, wang):
    with pytest.raises(ValidationError) as excinfo:
        services.comment_post(project=project, actor=team_member, body="@wangleix 请看")

    assert "@wangleix" in excinfo.value.message_dict["body"][0]


def test_chinese_text_after_an_at_sign_that_names_nobody_is_plain_text(project, team_member):
    comment = services.comment_post(project=project, actor=team_member, body="@所有人 周五开会")

    assert mentioned(comment) == set()


def test_candidates_are_the_eligible_team_with_their_chinese_names(project, team_member, wang):
    gone = ProjectMembershipFactory(project=project, user__username="gone").user
    gone.is_active = False
    gone.save()
    admin = UserFactory(username="admin", is_superuser=True)
    ProjectMembershipFactory(project=project, user=admin)

    people = {person["username"]: person["name"] for person in mention_candidates(project)}

    assert people["wanglei"] == "王磊"
    assert "gone" not in people and "admin" not in people
    assert {"mark-manager", "mia-member"} <= set(people)


def test_candidates_cannot_break_out_of_the_page(client, project, team_member):
    ProjectMembershipFactory(project=project, user__full_name="</script><script>alert(1)</script>")
    client.force_login(team_member)

    body = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()

    assert "<script>alert(1)" not in body


def test_a_posted_mention_reads_as_the_person_s_name(client, project, team_member, wang):
    wang.full_name = "王磊 <b>"  # a name is text, never markup
    wang.save()
    services.comment_post(project=project, actor=team_member, body="请@wanglei 看一下\n<i>报价</i>")
    client.force_login(team_member)

    body = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()

    shown = body.split('class="comment-body">', 1)[1].split("</div>", 1)[0]
    assert shown == (
        '请<span class="mention" title="@wanglei">@王磊 &lt;b&gt;</span> 看一下'
        "<br>&lt;i&gt;报价&lt;/i&gt;"
    )
