"""The knowledge base: every lesson learned on the projects the person may see, searchable in
Chinese and English and filterable by industry, region, stage and outcome."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from insights.filters import LessonFilter
from projects.models import Lesson

PAGE_SIZE = 25


@login_required
def lesson_list_view(request: HttpRequest) -> HttpResponse:
    filterset = LessonFilter(request.GET, request=request)
    lessons = filterset.qs if filterset.is_valid() else Lesson.objects.none()
    page = Paginator(lessons, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "insights/lesson_list.html", {"filter": filterset, "page": page})
