"""Demo reviews and risks (监控评估) of the demo projects in `demo.projects`.

Like `demo.teamwork`, in two steps:

1. `work`, while the project is driven through the cycle: reviews scheduled and held through
   `monitoring.reviews`, so the decisions are what moved it (adjust strategy → back to strategy,
   continue → back to execution, close → closure, escalate → flagged for the directors), with
   their action items, some turned into tasks; risks recorded and updated through `risk_save`,
   so the feed and the serious-risk alerts are the real ones;
2. `timeline`, once the project's history has been spread over the past months: each decision
   just before the transition it caused, the other reviews on the cadence in between, the next
   review ahead of today or, on a few projects, overdue; risks, feed rows and alerts along it.
"""

from demo.monitoring.timeline import Moves, monitoring_timeline
from demo.monitoring.work import (
    demo_random,
    review_close_decided,
    review_held,
    review_next,
    reviews_call_off,
    risks_seed,
)

__all__ = [
    "Moves",
    "demo_random",
    "monitoring_timeline",
    "review_close_decided",
    "review_held",
    "review_next",
    "reviews_call_off",
    "risks_seed",
]
