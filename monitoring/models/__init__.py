from .choices import ReviewDecision, RiskCategory, RiskLevel, RiskStatus
from .reviews import CADENCE_INTERVAL, ReviewActionItem, ReviewMeeting, ReviewQuerySet
from .risks import LEVEL_RANK, RISK_LEVEL_FLOORS, SERIOUS_LEVELS, Risk, risk_level

__all__ = [
    "CADENCE_INTERVAL",
    "LEVEL_RANK",
    "RISK_LEVEL_FLOORS",
    "SERIOUS_LEVELS",
    "ReviewActionItem",
    "ReviewDecision",
    "ReviewMeeting",
    "ReviewQuerySet",
    "Risk",
    "RiskCategory",
    "RiskLevel",
    "RiskStatus",
    "risk_level",
]
