"""What insights adds to the project page, registered in InsightsConfig.ready: the lessons of
similar closed projects."""

from projects.models import Stage
from projects.pages import ProjectPage

from .lessons import similar_lessons

# Where the closure step pays off: a new project and its strategy learn from earlier ones.
SIMILAR_LESSONS_STAGES = (Stage.INITIATION, Stage.STRATEGY)


def project_similar_lessons_panel(page: ProjectPage) -> dict:
    shown = page.project.stage in SIMILAR_LESSONS_STAGES
    return {
        "show_similar_lessons": shown,
        "similar_lessons": similar_lessons(page.project, user=page.request.user) if shown else [],
    }
