"""The words of the scale portfolio: people, customers and the records of each stage.

Reviews, risks and tasks reuse the demo's texts (`demo.monitoring.texts`,
`demo.teamwork.texts`), so the two data sets read alike.
"""

from customers.models import Industry, Region
from projects.models import ReasonCategory, StrategyKind

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN_NAMES = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明"]
GIVEN_NAMES += ["超", "秀英", "霞", "平", "刚", "桂英", "志远", "思远", "雪", "晨", "宇", "欣"]
FIRST_NAMES = ["Emma", "James", "Sofia", "Lucas", "Olivia", "Noah", "Mia", "Ethan", "Chloe", "Leo"]
LAST_NAMES = ["Clarke", "Miller", "Rossi", "Schmidt", "Dubois", "Tanaka", "Silva", "Novak", "Berg"]

# city, region
CITIES = [
    ("北京", Region.NORTH),
    ("天津", Region.NORTH),
    ("石家庄", Region.NORTH),
    ("太原", Region.NORTH),
    ("沈阳", Region.NORTHEAST),
    ("大连", Region.NORTHEAST),
    ("长春", Region.NORTHEAST),
    ("哈尔滨", Region.NORTHEAST),
    ("上海", Region.EAST),
    ("南京", Region.EAST),
    ("杭州", Region.EAST),
    ("苏州", Region.EAST),
    ("宁波", Region.EAST),
    ("合肥", Region.EAST),
    ("济南", Region.EAST),
    ("青岛", Region.EAST),
    ("福州", Region.EAST),
    ("厦门", Region.EAST),
    ("武汉", Region.CENTRAL),
    ("长沙", Region.CENTRAL),
    ("郑州", Region.CENTRAL),
    ("南昌", Region.CENTRAL),
    ("广州", Region.SOUTH),
    ("深圳", Region.SOUTH),
    ("东莞", Region.SOUTH),
    ("南宁", Region.SOUTH),
    ("海口", Region.SOUTH),
    ("成都", Region.SOUTHWEST),
    ("重庆", Region.SOUTHWEST),
    ("昆明", Region.SOUTHWEST),
    ("贵阳", Region.SOUTHWEST),
    ("西安", Region.NORTHWEST),
    ("兰州", Region.NORTHWEST),
    ("乌鲁木齐", Region.NORTHWEST),
]
OVERSEAS = ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Adatum", "Woodgrove"]
OVERSEAS += ["Proseware", "Wingtip", "Alpine", "Coho", "Margie", "Lucerne", "Humongous"]
# The middle of a customer's name, and per industry the ending (Chinese, English).
NAME_CORES = ["华信", "中联", "恒通", "宏达", "瑞丰", "金桥", "新元", "东方", "盛世", "天成"]
NAME_CORES += ["长城", "海纳", "博远", "汇智", "启明", "正泰", "同创", "嘉禾", "鼎盛", "九州"]
INDUSTRY_ENDINGS = {
    Industry.MANUFACTURING: (["制造", "重工", "精密机械", "汽车零部件"], ["Manufacturing"]),
    Industry.FINANCE: (["银行", "保险", "证券", "信托"], ["Bank", "Insurance"]),
    Industry.TELECOM: (["通信", "移动网络", "广电网络"], ["Telecom"]),
    Industry.ENERGY: (["电网", "能源集团", "燃气", "新能源"], ["Energy", "Power"]),
    Industry.GOVERNMENT: (["政务服务中心", "大数据局", "交通委员会"], ["City Council"]),
    Industry.HEALTHCARE: (["医疗集团", "人民医院", "医药"], ["Health", "Clinics"]),
    Industry.EDUCATION: (["大学", "职业学院", "教育集团"], ["University"]),
    Industry.RETAIL: (["零售", "百货", "连锁超市"], ["Retail", "Stores"]),
    Industry.TECHNOLOGY: (["软件", "科技", "云计算"], ["Software", "Tech"]),
    Industry.LOGISTICS: (["物流", "港务集团", "快运"], ["Logistics", "Freight"]),
    Industry.OTHER: (["文旅集团", "建设集团"], ["Holdings"]),
}
SIZE_WEIGHTS = {"small": 1, "medium": 3, "large": 4, "enterprise": 2}
CONTACT_TITLES = ["信息中心主任 / Head of IT", "采购经理 / Procurement manager", "CIO", "CFO"]

PRODUCTS = {
    Industry.MANUFACTURING: ["MES 制造执行系统", "设备预测性维护", "Smart factory pilot"],
    Industry.FINANCE: ["Core banking migration", "智能风控平台", "Claims automation"],
    Industry.TELECOM: ["5G private network pilot", "网络运维自动化", "BSS modernisation"],
    Industry.ENERGY: ["智能电网调度平台", "Energy trading platform", "新能源场站监控"],
    Industry.GOVERNMENT: ["政务云平台扩容", "一网通办升级", "City data platform"],
    Industry.HEALTHCARE: ["医院信息化二期", "互联网医院", "Clinical data warehouse"],
    Industry.EDUCATION: ["智慧校园一卡通", "在线教学平台", "Campus network refresh"],
    Industry.RETAIL: ["Omnichannel POS upgrade", "会员营销平台", "供应链协同"],
    Industry.TECHNOLOGY: ["研发效能平台", "Cloud cost management", "数据中台建设"],
    Industry.LOGISTICS: ["Fleet telematics rollout", "智慧仓储", "运输管理系统"],
    Industry.OTHER: ["数字化运营平台", "Document management rollout"],
}
BACKGROUNDS = [
    "客户计划在本财年完成升级，我们有先发优势。 The customer plans to upgrade this fiscal "
    "year; we have an early lead.",
    "现有系统已使用十年，维护成本高。 The current system is ten years old and costly to run.",
    "客户新任 CIO 推动数字化转型。 A new CIO is driving the digital programme.",
    "Regulation requires the change by next year; budget is ring-fenced.",
    "竞争对手的合同即将到期，客户在重新选型。 A competitor's contract ends; the customer is "
    "choosing again.",
]

MARKET_RESEARCH = [
    "客户正在进行数字化升级，预算已纳入年度计划。",
    "Three vendors shortlisted; budget approved for next year.",
    "行业集采政策明确，客户有强烈的替换意愿。",
]
CUSTOMER_NEEDS = [
    "Reliable delivery, local support, integration with ERP.",
    "统一数据口径，降低运维成本。",
    "A single view of orders across plants.",
]
COMPETITORS = ["两家国内厂商，一家外资厂商。", "Two local integrators.", "原厂商及一家新进入者。"]

# metric, title, unit ("" for the project's currency)
GOALS = [
    ("revenue", "合同收入 / Contract revenue", ""),
    ("customer_satisfaction", "客户满意度 / Customer satisfaction", "%"),
    ("market_share", "区域市场份额 / Share of the regional market", "%"),
    ("other", "样板客户案例 / Reference case published", "cases"),
]
ALLOCATIONS = [
    ("people", "售前方案团队 / Presales team"),
    ("budget", "招待与差旅 / Travel and hospitality"),
    ("material", "演示环境与样机 / Demo environment and samples"),
]

STRATEGIES = {
    StrategyKind.CUSTOMER_DEVELOPMENT: (
        "以方案价值取胜，锁定技术决策人。 Win on the value of the solution; secure the "
        "technical decision maker.",
        ["拜访技术决策人", "Prepare a proof of concept", "提交分阶段报价"],
    ),
    StrategyKind.COMPETITIVE: (
        "突出本地服务与交付能力，对冲竞品低价。 Stress local service against a cheaper rival.",
        ["整理竞品对比表", "Arrange a reference-site visit", "安排交付团队答疑"],
    ),
    StrategyKind.PRICING: (
        "分期付款与分阶段交付降低客户门槛。 Phased payment and delivery lower the entry cost.",
        ["测算分期报价", "Agree the payment milestones", "准备商务条款"],
    ),
    StrategyKind.PARTNERSHIP: (
        "联合本地合作伙伴共同投标。 Bid together with a local partner.",
        ["签署合作协议", "Align the joint proposal", "分配合作伙伴工作范围"],
    ),
    StrategyKind.MARKET_ENTRY: (
        "以样板项目打开行业市场。 Open the sector with a flagship project.",
        ["确定样板范围", "Prepare the launch case study", "联合市场推广"],
    ),
}

ABORT_REASONS = {
    ReasonCategory.BUDGET: "客户预算冻结 / Customer budget frozen",
    ReasonCategory.PRICE: "报价高于客户预算 / Our price is above the customer's budget",
    ReasonCategory.COMPETITOR: "竞争对手中标 / A competitor won the tender",
    ReasonCategory.TIMING: "客户推迟项目一年 / The customer postponed by a year",
    ReasonCategory.SOLUTION_FIT: "方案与需求不匹配 / Our solution does not fit the need",
    ReasonCategory.RELATIONSHIP: "关键关系人离职 / Our sponsor left the customer",
    ReasonCategory.OTHER: "客户战略调整 / The customer changed its strategy",
}
CLOSURE_SUMMARY = "项目按循环推进。 The project followed the cycle to its end."
WENT_WELL = [
    "铁三角协同顺畅，方案评审及时。",
    "The proof of concept convinced the operations director.",
    "Early executive sponsorship kept procurement moving.",
]
TO_IMPROVE = [
    "Engage procurement earlier; 更早确认预算流程。",
    "更早识别竞品动向。 Track competitors earlier.",
    "Agree the payment milestones before the technical review.",
]
LESSONS = [
    "尽早识别技术决策人并安排方案演示。 Identify the technical decision maker early.",
    "Offer a pilot before the formal tender.",
    "分阶段报价有助于通过预算审批。 A phased offer passes the budget review more easily.",
    "与交付团队共同编写方案，避免承诺过度。 Write the proposal with delivery to avoid "
    "over-promising.",
]
