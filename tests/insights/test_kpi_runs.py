"""The directors' on-demand KPI recompute: service, Celery task on a real worker, progress."""

import time

import pytest
from django.urls import reverse

from insights.kpi_runs import kpi_run_execute, kpi_run_start
from insights.models import KpiRun, KpiRunStatus, PortfolioSnapshot, ProjectSnapshot
from tests.factories import ProjectFactory


def _wait_for_finish(run: KpiRun, timeout: float = 20) -> KpiRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if not run.is_active:
            return run
        time.sleep(0.1)
    raise AssertionError(f"KPI run {run.pk} still {run.status} after {timeout}s")


@pytest.mark.django_db(transaction=True)
def test_director_starts_a_run_that_a_real_worker_completes(celery_worker, client, director):
    ProjectFactory.create_batch(3)
    client.force_login(director)

    response = client.post(reverse("insights:kpi_recompute"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    run = KpiRun.objects.get()
    assert run.started_by == director
    assert f'hx-get="{reverse("insights:kpi_run", args=[run.pk])}"' in response.text
    run = _wait_for_finish(run)
    assert run.status == KpiRunStatus.DONE
    assert (run.projects_done, run.projects_total) == (3, 3)
    assert run.finished_at is not None
    assert ProjectSnapshot.objects.count() == 3
    assert PortfolioSnapshot.objects.filter(dimension="overall").exists()


@pytest.mark.django_db
def test_starting_while_a_run_is_under_way_returns_that_run(director):
    running = KpiRun.objects.create(started_by=director, status=KpiRunStatus.RUNNING)

    assert kpi_run_start(actor=director) == running
    assert KpiRun.objects.count() == 1


@pytest.mark.django_db
def test_member_cannot_start_a_run(client, member):
    client.force_login(member)

    assert client.post(reverse("insights:kpi_recompute")).status_code == 403
    assert not KpiRun.objects.exists()


@pytest.mark.django_db
def test_member_cannot_follow_a_run(client, member, director):
    run = KpiRun.objects.create(started_by=director)
    client.force_login(member)

    assert client.get(reverse("insights:kpi_run", args=[run.pk])).status_code == 403


@pytest.mark.django_db
def test_without_javascript_the_button_goes_back_home(client, director):
    client.force_login(director)

    response = client.post(reverse("insights:kpi_recompute"))

    assert response.status_code == 302
    assert response.url == reverse("home")


@pytest.mark.django_db
def test_progress_fragment_polls_while_running_and_stops_when_done(client, director):
    run = KpiRun.objects.create(started_by=director, status=KpiRunStatus.RUNNING, projects_total=7)
    url = reverse("insights:kpi_run", args=[run.pk])
    client.force_login(director)

    running = client.get(url).text
    assert 'hx-trigger="every 2s"' in running
    assert "7" in running

    kpi_run_execute(run_id=run.pk)
    done = client.get(url).text
    assert 'hx-trigger="every 2s"' not in done
    assert 'data-status="done"' in done


@pytest.mark.django_db
def test_a_failing_run_records_failed_with_the_error(client, director, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("insights.kpi_runs.project_snapshots_rollup", broken)
    run = KpiRun.objects.create(started_by=director)

    run = kpi_run_execute(run_id=run.pk)

    assert run.status == KpiRunStatus.FAILED
    assert "disk full" in run.error
    assert run.finished_at is not None
    client.force_login(director)
    page = client.get(reverse("insights:kpi_run", args=[run.pk])).text
    assert "disk full" in page
    assert "every 2s" not in page


@pytest.mark.django_db
def test_a_redelivered_task_after_done_changes_nothing(director):
    run = KpiRun.objects.create(started_by=director)
    run = kpi_run_execute(run_id=run.pk)
    finished = run.finished_at

    again = kpi_run_execute(run_id=run.pk)

    assert again.status == KpiRunStatus.DONE
    assert again.finished_at == finished
