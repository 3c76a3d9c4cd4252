"""Each kind of notification e-mail has a subject that reads as one natural sentence in the
recipient's language (zh-hans and en), not a code glued to a settings label."""

import pytest

from collaboration.models import Notification, NotificationKind, NotificationSetting
from collaboration.notifications import notification_email_send
from tests.factories import ProjectFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db

K = NotificationKind
CODE = "SP-2026-0042"
# Per language: the project, task and actor names the e-mail is about.
NAMES = {
    "zh-hans": {"project": "智能电网调度平台", "task": "编写技术方案", "actor": "李娜"},
    "en": {"project": "Harbour ERP", "task": "Write the proposal", "actor": "Emma Clarke"},
}
# (kind, data) → the subject expected in each language.
SUBJECTS = [
    (
        K.TASK_ASSIGNED,
        {},
        "[销售循环 SP-2026-0042] 李娜给您分配了任务“编写技术方案”",
        "[SalesCycle SP-2026-0042] Emma Clarke assigned you “Write the proposal”",
    ),
    (
        K.MENTIONED,
        {},
        "[销售循环 SP-2026-0042] 李娜在智能电网调度平台中提及了您",
        "[SalesCycle SP-2026-0042] Emma Clarke mentioned you on Harbour ERP",
    ),
    (
        K.TASK_OVERDUE,
        {},
        "[销售循环 SP-2026-0042] 您的任务“编写技术方案”已逾期",
        "[SalesCycle SP-2026-0042] Your task “Write the proposal” is overdue",
    ),
    (
        K.TASK_BLOCKED,
        {},
        "[销售循环 SP-2026-0042] 李娜将任务“编写技术方案”标记为受阻",
        "[SalesCycle SP-2026-0042] Emma Clarke marked “Write the proposal” as blocked",
    ),
    (
        K.STAGE_CHANGED,
        {"from": "initiation", "to": "goal_setting"},
        "[销售循环 SP-2026-0042] 智能电网调度平台已转到目标设定",
        "[SalesCycle SP-2026-0042] Harbour ERP moved to Goal setting",
    ),
    (
        K.REVIEW_REMINDER,
        {"window": "24h", "scheduled_for": "2026-12-05 10:00"},
        "[销售循环 SP-2026-0042] 智能电网调度平台的评审定于 2026-12-05 10:00",
        "[SalesCycle SP-2026-0042] Review of Harbour ERP at 2026-12-05 10:00",
    ),
    (
        K.REVIEW_REMINDER,
        {"window": "1h", "scheduled_for": "2026-12-05 10:00"},
        "[销售循环 SP-2026-0042] 智能电网调度平台的评审将在一小时内开始",
        "[SalesCycle SP-2026-0042] Review of Harbour ERP starts within the hour",
    ),
    (
        K.REVIEW_OVERDUE,
        {"scheduled_for": "2026-12-01 10:00"},
        "[销售循环 SP-2026-0042] 智能电网调度平台原定于 2026-12-01 10:00 的评审尚未召开",
        "[SalesCycle SP-2026-0042] Review of Harbour ERP planned for 2026-12-01 10:00 not held",
    ),
    (
        K.ESCALATED,
        {},
        "[销售循环 SP-2026-0042] 李娜将智能电网调度平台升级给总监",
        "[SalesCycle SP-2026-0042] Emma Clarke escalated Harbour ERP to the directors",
    ),
    (
        K.RISK_SERIOUS,
        {"title": "ERP 集成", "level": "high"},
        "[销售循环 SP-2026-0042] 智能电网调度平台的风险“ERP 集成”等级为高",
        "[SalesCycle SP-2026-0042] Risk “ERP 集成” on Harbour ERP is now rated High",
    ),
    (
        K.PROJECT_STUCK,
        {"stage": "execution", "days": 40, "norm": 30},
        "[销售循环 SP-2026-0042] 智能电网调度平台已在执行过程阶段停留 40 天",
        "[SalesCycle SP-2026-0042] Harbour ERP has been in Execution for 40 days",
    ),
    (
        K.APPROVAL_REQUESTED,
        {"to": "resource_allocation", "note": ""},
        "[销售循环 SP-2026-0042] 李娜请您批准智能电网调度平台转到资源配置",
        "[SalesCycle SP-2026-0042] Emma Clarke asks you to approve moving Harbour ERP to "
        "Resource allocation",
    ),
    (
        K.APPROVAL_GRANTED,
        {"to": "resource_allocation", "note": ""},
        "[销售循环 SP-2026-0042] 李娜批准了智能电网调度平台转到资源配置",
        "[SalesCycle SP-2026-0042] Emma Clarke approved moving Harbour ERP to Resource allocation",
    ),
    (
        K.APPROVAL_REJECTED,
        {"to": "resource_allocation", "note": "预算未确认"},
        "[销售循环 SP-2026-0042] 李娜退回了智能电网调度平台转到资源配置的申请",
        "[SalesCycle SP-2026-0042] Emma Clarke sent back the move of Harbour ERP to "
        "Resource allocation",
    ),
]


def test_every_kind_has_its_own_subject():
    assert {kind for kind, *_ in SUBJECTS} == set(K.values)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("kind", "data", "chinese", "english"),
    SUBJECTS,
    ids=[f"{kind.value}-{data.get('window', '')}".rstrip("-") for kind, data, *_ in SUBJECTS],
)
def test_the_subject_reads_as_a_sentence(mailoutbox, language, kind, data, chinese, english):
    names = NAMES[language]
    recipient = UserFactory(language=language)
    NotificationSetting.objects.create(user=recipient, kind=kind, by_email=True)
    actor = UserFactory(full_name=names["actor"])
    project = ProjectFactory(code=CODE, name=names["project"])
    task = TaskFactory(project=project, title=names["task"])
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        event_key="test:subject",
        project=project,
        task=task if "task" in kind.value else None,
        actor=actor,
        data=data,
    )

    assert notification_email_send(notification_id=notification.pk)

    [message] = mailoutbox
    assert message.subject == (chinese if language == "zh-hans" else english)
