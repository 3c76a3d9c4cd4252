"""Texts of the demo reviews and risks. Each is a `Said(中文, English)`; a project takes the one
of its owner's language (`demo.people`)."""

from demo.people import Said
from monitoring.models import ReviewDecision, RiskCategory

LOCATIONS = [
    Said("会议室 A", "Meeting room A"),
    Said("客户现场", "At the customer's site"),
    Said(
        "腾讯会议：https://meeting.example.cn/r/4821", "Teams: https://teams.example.com/l/review"
    ),
    Said(
        "线上会议：https://meeting.example.cn/r/5310", "Video call: https://meet.example.com/review"
    ),
]

AGENDA = Said(
    "1. 目标进展\n2. 逾期与阻塞的任务\n3. 风险变化\n4. 预算消耗\n5. 决策",
    "1. Progress against the goals\n2. Overdue and blocked tasks\n3. Risks new or changed\n"
    "4. Budget burn\n5. Decision",
)

# decision → (minutes, reason for the decision) to choose from
MINUTES: dict[str, list[tuple[Said, Said]]] = {
    ReviewDecision.CONTINUE: [
        (
            Said(
                "客户技术评估已通过，进展符合计划。\n下一步：启动商务谈判。",
                "The customer's technical evaluation passed; we are on plan.\n"
                "Next: open the commercial negotiation.",
            ),
            Said("按计划推进。", "On plan."),
        ),
        (
            Said(
                "POC 环境已上线，客户反馈良好；两项任务轻微延期。\n交付负责人调配人手追回进度。",
                "The proof of concept is live and the customer likes it; two tasks slipped "
                "slightly.\nThe fulfilment lead moves people to catch up.",
            ),
            Said("风险可控，继续执行。", "Risks under control; carry on."),
        ),
        (
            Said(
                "采购流程已启动，预算确认。\n继续执行现有策略。",
                "Procurement has started and the budget is confirmed.\n"
                "We carry on with the current strategy.",
            ),
            Said("", ""),
        ),
    ],
    ReviewDecision.ADJUST_STRATEGY: [
        (
            Said(
                "竞争对手报价低于我方约 15%，原策略难以取胜。\n"
                "决定调整策略：分期交付并突出本地服务。",
                "The competitor quoted about 15% below us; the current strategy will not win.\n"
                "Decided: phased delivery and stress our local service.",
            ),
            Said("价格劣势，需调整策略。", "Price gap: the strategy must change."),
        ),
        (
            Said(
                "客户新任 CIO 重新定义需求范围。\n重新识别决策链并修订方案。",
                "The customer's new CIO redefined the scope.\n"
                "Map the decision makers again and revise the solution.",
            ),
            Said("关键决策人变动。", "Key decision maker changed."),
        ),
    ],
    ReviewDecision.CLOSE: [
        (
            Said(
                "客户已签署意向书，目标基本达成。\n决定进入收尾，整理经验教训。",
                "The customer signed the letter of intent; the goals are met.\n"
                "Decided to close and collect lessons.",
            ),
            Said("目标达成。", "Goals met."),
        ),
        (
            Said(
                "合同评审完成，付款条件已确认。\n进入收尾阶段。",
                "Contract review done, payment terms agreed.\nOn to closure.",
            ),
            Said("", ""),
        ),
    ],
    ReviewDecision.ESCALATE: [
        (
            Said(
                "客户高层变动，采购暂停；需要总监出面拜访。",
                "A change in the customer's leadership paused procurement; a director must visit.",
            ),
            Said("请总监协调高层拜访。", "A director to arrange an executive visit."),
        ),
        (
            Said(
                "交付资源冲突，两个项目争用同一团队。\n提请总监决定优先级。",
                "Delivery conflict: two projects need the same team.\n"
                "The directors to set the priority.",
            ),
            Said("资源冲突需总监决策。", "Resource conflict for the directors."),
        ),
    ],
}

ACTIONS = [
    Said("更新报价方案", "Update the quotation"),
    Said("安排高层拜访", "Arrange an executive visit"),
    Said("完成 POC 测试报告", "Finish the proof of concept test report"),
    Said("确认交付排期", "Confirm the delivery schedule"),
    Said("整理需求变更清单", "List the requirement changes"),
    Said("准备合同评审材料", "Prepare the contract review"),
    Said("核对预算消耗", "Check the budget burn"),
]

# category, title, description, mitigation
RISKS = [
    (
        RiskCategory.CUSTOMER,
        Said("关键决策人变动", "Key decision maker changes"),
        Said("客户 CIO 可能调任。", "The customer's CIO may be moved."),
        Said("尽快建立与新任决策人的关系。", "Build a relationship with the successor early."),
    ),
    (
        RiskCategory.CUSTOMER,
        Said("客户预算削减", "Customer budget cut"),
        Said("年中预算复审可能削减 IT 投入。", "The mid-year budget review may cut IT spending."),
        Said("准备分期方案。", "Prepare a phased offer."),
    ),
    (
        RiskCategory.CUSTOMER,
        Said("需求范围蔓延", "Scope creep"),
        Said("业务部门持续追加需求。", "Business units keep adding requirements."),
        Said("变更走评审流程。", "Changes go through a change board."),
    ),
    (
        RiskCategory.COMPETITION,
        Said("竞争对手低价竞标", "Competitor bids below cost"),
        Said("一家国内厂商以低价抢单。", "A local vendor is bidding below cost."),
        Said("强调总拥有成本。", "Argue on total cost of ownership."),
    ),
    (
        RiskCategory.COMPETITION,
        Said("竞品已在客户处试点", "Competitor already piloting"),
        Said("", ""),
        Said("争取并行 POC。", "Ask for a parallel proof of concept."),
    ),
    (
        RiskCategory.TECHNICAL,
        Said("与现有 ERP 集成复杂", "Complex ERP integration"),
        Said("客户 ERP 为深度定制版本。", "The customer's ERP is heavily customised."),
        Said("提前做接口验证。", "Prove the interfaces early."),
    ),
    (
        RiskCategory.TECHNICAL,
        Said("性能指标未经验证", "Performance targets unproven"),
        Said("", ""),
        Said("压测环境复现客户数据量。", "Load-test with the customer's data volume."),
    ),
    (
        RiskCategory.TECHNICAL,
        Said("数据迁移质量", "Data migration quality"),
        Said("历史数据缺失与重复较多。", "Old data has gaps and duplicates."),
        Said("迁移前做数据清洗。", "Clean the data before migrating."),
    ),
    (
        RiskCategory.DELIVERY,
        Said("关键交付人员不足", "Key delivery staff short"),
        Said("", ""),
        Said("提前锁定交付资源。", "Book the delivery people now."),
    ),
    (
        RiskCategory.DELIVERY,
        Said("分包商交付延迟", "Subcontractor delay"),
        Said("分包商同时承接多个项目。", "The subcontractor runs several projects at once."),
        Said("合同中约定里程碑与罚则。", "Milestones and penalties in the subcontract."),
    ),
    (
        RiskCategory.DELIVERY,
        Said("硬件到货周期长", "Long hardware lead times"),
        Said("", ""),
        Said("提前下单备货。", "Order ahead."),
    ),
    (
        RiskCategory.COMMERCIAL,
        Said("付款条件不利", "Unfavourable payment terms"),
        Said("客户要求验收后一次付清。", "The customer wants to pay everything after acceptance."),
        Said("争取按里程碑付款。", "Negotiate milestone payments."),
    ),
    (
        RiskCategory.COMMERCIAL,
        Said("利润率低于目标", "Margin below target"),
        Said("", ""),
        Said("优化交付方案成本。", "Cut the cost of the delivery plan."),
    ),
    (
        RiskCategory.COMMERCIAL,
        Said("汇率波动", "Exchange rate swings"),
        Said("", ""),
        Said("合同以人民币计价。", "Price the contract in CNY."),
    ),
    (
        RiskCategory.LEGAL,
        Said("合同责任条款过重", "Onerous liability clauses"),
        Said("无上限赔偿条款。", "Unlimited liability clause."),
        Said("法务介入谈判责任上限。", "Legal negotiates a liability cap."),
    ),
    (
        RiskCategory.LEGAL,
        Said("数据合规要求", "Data compliance requirements"),
        Said("客户数据须境内存储。", "Customer data must stay in the country."),
        Said("采用本地部署方案。", "Deploy on premises."),
    ),
    (
        RiskCategory.OTHER,
        Said("政策变化", "Policy change"),
        Said("", ""),
        Said("跟踪行业监管动态。", "Follow the regulator's announcements."),
    ),
]
# How likely (1–5) and how bad (1–5) demo risks are: most are modest, a few severe.
PROBABILITY_WEIGHTS = (25, 30, 22, 14, 9)
IMPACT_WEIGHTS = (15, 25, 28, 20, 12)
