"""The words of the demo's team work: roles, tasks, comments, customer contacts. Each text is a
`Said(中文, English)`; a project takes the one of its owner's language (`demo.people`)."""

from collaboration.models import InteractionKind, TaskStatus
from demo.people import Said
from projects.models import Stage, TeamRole

# The iron triangle: sales, solution and delivery. The owner cannot hold a second role on the
# team, and the other sales manager would open each manager's portfolio to the other, so the
# director (sales) is every demo project's account lead.
LEADS = [
    (TeamRole.ACCOUNT_LEAD, ["director", "manager", "manager2"]),
    (TeamRole.SOLUTION_LEAD, ["member"]),
    (TeamRole.FULFILMENT_LEAD, ["member2"]),
]
# One to three of these join each team (finance, marketing, legal, product, service).
OTHER_DEPARTMENTS = ["member3", "member4", "member5", "member6", "member7"]

RESPONSIBILITIES = {
    TeamRole.ACCOUNT_LEAD: Said(
        "负责客户高层关系与商务推进", "Owns the customer relationship and the commercial track"
    ),
    TeamRole.SOLUTION_LEAD: Said(
        "负责技术方案、演示与概念验证",
        "Owns the technical proposal, demos and the proof of concept",
    ),
    TeamRole.FULFILMENT_LEAD: Said(
        "负责交付计划、资源与风险", "Owns delivery planning, resources and risks"
    ),
    TeamRole.OBSERVER: Said(
        "关注项目进展，为后续服务做准备", "Follows the project to prepare later work"
    ),
    "finance": Said("报价测算、预算与回款跟踪", "Pricing, budget and payment tracking"),
    "legal": Said("合同条款与合规审查", "Contract terms and compliance"),
    "marketing": Said("市场分析与客户案例", "Market analysis and reference cases"),
    "product": Said("产品路线匹配与定制需求", "Product fit and custom requests"),
    "customer_service": Said(
        "售后服务方案与客户满意度", "After-sales plan and customer satisfaction"
    ),
}

# Per stage: department, title, estimate in hours.
TASKS = {
    Stage.INITIATION: [
        ("sales", Said("客户需求初步调研", "First customer needs survey"), 16),
        ("sales", Said("确认关键决策人", "Identify the key decision makers"), 8),
        ("solution", Said("技术可行性评估", "Technical feasibility assessment"), 20),
        ("delivery", Said("交付可行性初评", "First delivery feasibility check"), 8),
        ("marketing", Said("行业与竞品分析", "Market and competitor analysis"), 24),
        ("finance", Said("客户信用评估", "Customer credit check"), 8),
        ("legal", Said("资质与合规审查", "Qualification and compliance check"), 6),
    ],
    Stage.GOAL_SETTING: [
        ("sales", Said("制定收入目标", "Set the revenue target"), 6),
        ("solution", Said("梳理客户业务痛点", "Map the customer's pain points"), 16),
        ("finance", Said("毛利测算", "Gross margin estimate"), 12),
        ("product", Said("产品路线匹配度分析", "Product roadmap fit"), 10),
        ("customer_service", Said("客户满意度基线调查", "Customer satisfaction baseline"), 8),
    ],
    Stage.RESOURCE_ALLOCATION: [
        ("sales", Said("铁三角分工确认", "Agree the iron triangle's roles"), 4),
        ("solution", Said("组建售前方案团队", "Assemble the presales team"), 6),
        ("delivery", Said("交付资源评估", "Delivery capacity check"), 12),
        ("finance", Said("项目预算编制", "Draft the project budget"), 10),
        ("legal", Said("保密协议签署", "Sign the NDA"), 4),
    ],
    Stage.STRATEGY: [
        ("sales", Said("高层拜访安排", "Arrange the executive visit"), 6),
        ("solution", Said("编写技术方案", "Write the technical proposal"), 40),
        ("delivery", Said("初步实施路线图", "Outline the implementation roadmap"), 16),
        ("marketing", Said("准备客户案例材料", "Prepare reference case material"), 12),
        ("product", Said("产品演示环境搭建", "Set up the product demo environment"), 16),
        ("finance", Said("分阶段报价测算", "Price the phased offer"), 10),
        ("legal", Said("合同条款预审", "Pre-review the contract terms"), 8),
    ],
    Stage.EXECUTION: [
        ("sales", Said("提交投标文件", "Submit the tender"), 12),
        ("solution", Said("概念验证（POC）", "Run the proof of concept"), 60),
        ("delivery", Said("实施计划编制", "Write the implementation plan"), 24),
        ("legal", Said("合同谈判", "Negotiate the contract"), 16),
        ("finance", Said("投标保证金办理", "Arrange the bid bond"), 4),
        ("product", Said("定制需求评估", "Assess custom feature requests"), 12),
        ("customer_service", Said("售后服务方案", "After-sales service plan"), 10),
    ],
    Stage.MONITORING: [
        ("sales", Said("周度进展汇报", "Weekly progress report"), 4),
        ("solution", Said("方案调整评估", "Assess proposal changes"), 12),
        ("delivery", Said("交付风险复核", "Review delivery risks"), 8),
        ("finance", Said("回款计划跟踪", "Track the payment schedule"), 6),
        ("customer_service", Said("客户满意度回访", "Customer satisfaction call"), 4),
    ],
    Stage.CLOSURE: [
        ("sales", Said("编写结项报告", "Write the closure report"), 8),
        ("delivery", Said("交付文档移交", "Hand over the delivery documents"), 8),
        ("finance", Said("成本结算", "Settle the project costs"), 8),
        ("legal", Said("合同归档", "File the contract"), 2),
        ("marketing", Said("整理项目案例", "Write up the case study"), 8),
        ("customer_service", Said("移交售后服务", "Hand over to after-sales service"), 6),
    ],
}

MILESTONES = {
    Stage.INITIATION: ("sales", Said("立项通过", "Project approved")),
    Stage.GOAL_SETTING: ("sales", Said("目标确认", "Goals agreed")),
    Stage.RESOURCE_ALLOCATION: ("delivery", Said("团队到位", "Team in place")),
    Stage.STRATEGY: ("solution", Said("方案通过客户评审", "Proposal accepted by the customer")),
    Stage.EXECUTION: ("sales", Said("合同签订", "Contract signed")),
    Stage.MONITORING: ("delivery", Said("阶段验收", "Phase acceptance")),
    Stage.CLOSURE: ("sales", Said("项目复盘会", "Project retrospective")),
}

BLOCKED_REASONS = [
    Said("等待客户提供接口文档", "Waiting for the customer's interface documents"),
    Said("客户采购流程暂停", "The customer's procurement is on hold"),
    Said("等待法务审核意见", "Waiting for legal's review"),
    Said("演示服务器尚未到位", "The demo servers have not arrived"),
    Said("预算审批未通过，需重新测算", "Budget not approved yet; re-estimating"),
]
# A task blocked by an unfinished predecessor; "{task}" is the predecessor's title.
WAITING_FOR = Said("等待「{task}」完成", "Waiting for “{task}”")

# "{who}" becomes an @mention of a team member of the department named first (None: anyone).
PROJECT_COMMENTS = [
    (
        "solution",
        Said(
            "@{who} 客户下周安排技术交流，请准备方案讲解材料。",
            "@{who} The customer has set a technical workshop next week; please prepare the "
            "solution walkthrough.",
        ),
    ),
    (
        "delivery",
        Said(
            "@{who} 能否和客户信息部门确认一下交付窗口？",
            "@{who} Could you check the delivery window with the customer's IT team?",
        ),
    ),
    (
        "finance",
        Said(
            "@{who} 报价测算请在周五前给我，客户催得比较紧。",
            "@{who} Please send me the pricing by Friday; the customer is pressing.",
        ),
    ),
    (
        "legal",
        Said(
            "@{who} 请在周四前审阅合同草案条款。",
            "@{who} please review the draft contract terms before Thursday.",
        ),
    ),
    (
        "marketing",
        Said(
            "@{who} 客户想看同行业的成功案例，能整理两个吗？",
            "@{who} The customer wants to see success stories from their industry; can you "
            "put two together?",
        ),
    ),
    (
        "customer_service",
        Said(
            "@{who} 客户问到售后响应时间，请给一个标准答复。",
            "@{who} The customer asked about after-sales response times; please give us a "
            "standard answer.",
        ),
    ),
    (
        "product",
        Said(
            "@{who} 客户提出的定制报表需求我们能支持吗？",
            "@{who} can we support the customer's custom reporting request?",
        ),
    ),
    (
        "sales",
        Said(
            "@{who} 请确认客户高层拜访的时间。",
            "@{who} Please confirm the date of the executive visit.",
        ),
    ),
    (
        None,
        Said(
            "招标文件已下载，关键条款我已标注，请大家本周内看一下。",
            "The tender documents are downloaded and I marked the key clauses; please read them "
            "this week.",
        ),
    ),
    (
        None,
        Said("今天的电话中客户确认了预算。", "The customer confirmed the budget in today's call."),
    ),
    (
        None,
        Said(
            "竞品报价压得很低，我们要突出服务与本地化优势。",
            "The competitor's price is very low; we must stress our service and local presence.",
        ),
    ),
    (
        None,
        Said(
            "今天与客户 CIO 会谈顺利，下一步是联合研讨会。",
            "Good meeting with the CIO today; next step is a joint workshop.",
        ),
    ),
    (
        None,
        Said(
            "提醒：评审会改到周三，会议室不变。",
            "Reminder: the review meeting moved to Wednesday, same room.",
        ),
    ),
]
# On a task, by its status.
TASK_COMMENTS = {
    TaskStatus.DONE: [
        (
            "sales",
            Said(
                "我们这边已完成，@{who} 能和客户确认一下吗？",
                "Done on our side; @{who} can you confirm with the customer?",
            ),
        ),
        (
            None,
            Said("已完成，文档已上传到共享目录。", "Done; the documents are in the shared folder."),
        ),
    ],
    TaskStatus.IN_PROGRESS: [
        (
            None,
            Said(
                "进度更新：已完成一半，预计按期完成。",
                "Update: half done, on track for the due date.",
            ),
        ),
        (
            "sales",
            Said(
                "初稿已上传到共享目录，@{who} 请看一下。",
                "Draft uploaded to the shared folder; @{who} please take a look.",
            ),
        ),
        (
            None,
            Said(
                "@{who} 这个任务需要你那边的数据，能否本周提供？",
                "@{who} this task needs your figures; can you send them this week?",
            ),
        ),
    ],
    TaskStatus.BLOCKED: [
        (
            None,
            Said(
                "在等客户答复，我明天再跟进。",
                "Waiting for the customer's answer; I will follow up tomorrow.",
            ),
        ),
        (
            "sales",
            Said(
                "@{who} 这里卡住了，能否帮忙协调一下客户？",
                "@{who} we are stuck here; could you help with the customer?",
            ),
        ),
    ],
}
REPLIES = [
    Said("收到，我来跟进。", "Got it, I will follow up."),
    Said("好的，我明天前回复。", "On it, I will report back by tomorrow."),
    Said("好的，周四前给你。", "Fine, you will have it by Thursday."),
    Said("记下了，加入本周计划。", "Noted — adding it to this week's plan."),
]

# kind, summary, next step
INTERACTIONS = [
    (
        InteractionKind.CALL,
        Said(
            "与客户信息中心主任电话沟通预算与时间表。",
            "Call with the head of the customer's IT centre about budget and timeline.",
        ),
        Said("发送会议纪要", "Send the minutes"),
    ),
    (
        InteractionKind.MEETING,
        Said(
            "方案交流会：客户关心数据迁移与割接风险。",
            "Solution workshop: the customer worries about data migration and cut-over risks.",
        ),
        Said("补充迁移方案", "Add the migration plan"),
    ),
    (
        InteractionKind.EMAIL,
        Said(
            "已发送修订后的报价与分阶段交付计划。",
            "Sent the revised quotation and the phased delivery plan.",
        ),
        Said("等待采购部门反馈", "Await procurement's feedback"),
    ),
    (
        InteractionKind.VISIT,
        Said(
            "拜访客户分管副总，介绍同类项目成功案例。",
            "Visited the customer's vice president and presented similar successful projects.",
        ),
        Said("安排参观样板客户", "Arrange a reference-site visit"),
    ),
    (
        InteractionKind.CALL,
        Said(
            "采购部门要求提供服务费用明细。",
            "Procurement asked for a breakdown of the service fees.",
        ),
        Said("发送费用明细", "Send the fee breakdown"),
    ),
    (
        InteractionKind.MEETING,
        Said(
            "与客户技术团队评审概念验证结果，整体认可。",
            "Reviewed the proof of concept with the customer's technical team: broadly accepted.",
        ),
        Said("准备正式报价", "Prepare the formal offer"),
    ),
    (
        InteractionKind.EMAIL,
        Said(
            "回复客户关于售后服务等级的问题。",
            "Answered the customer's questions on service levels.",
        ),
        Said("", ""),
    ),
]

# Two contacts for each demo customer that has none: (name, title, e-mail name).
CONTACTS_CN = [("张建国", "信息中心主任", "zhang.jg"), ("刘芳", "采购经理", "liu.fang")]
CONTACTS_EN = [("Michael Brown", "CIO", "m.brown"), ("Laura Chen", "Head of procurement", "l.chen")]
