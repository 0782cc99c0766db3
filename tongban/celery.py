"""The one Celery app (composition root): the workers' and the beat's, ``celery -A tongban.celery worker`` and
``celery -A tongban.celery beat`` (deploy/notifications-workers.md).

It reads the same ``TONGBAN_*`` settings as the app, carries every package's tasks (notifications' delivery
tasks are shared tasks, bound here) and has the beat run every periodic job: the core's (core/jobs.py) and the
plugins' (their ``jobs()`` hook), by name through one task. App processes load it too (tongban/asgi.py), so
what they hand to Redis goes through this app.
"""

import logging
from typing import Any

from celery import Celery, Task
from celery.signals import after_setup_logger, before_task_publish, task_postrun, task_prerun

import core.models  # noqa: F401  (every domain's tables in the metadata, so foreign keys across domains resolve)
from core import jobs, observability
from core.settings import get_settings
from notifications import tasks as notification_tasks

app = Celery("tongban")


def _config() -> dict[str, object]:
    """The app's configuration, read when Celery first needs it (importing this module reads no settings)."""
    return {
        "broker_url": get_settings().redis_url or "memory://",
        "broker_connection_retry_on_startup": True,
        "task_ignore_result": True,
        "task_acks_late": True,
        "worker_prefetch_multiplier": 4,
        "task_serializer": "json",
        "accept_content": ["json"],
        "timezone": "Asia/Shanghai",
        "beat_schedule": {
            notification_tasks.SWEEP_JOB: {
                "task": notification_tasks.SWEEP_TASK,
                "schedule": notification_tasks.SWEEP_SECONDS,
            }
        },
    }


app.add_defaults(_config)
app.set_default()  # the app of every thread of this process, not only the importing one


@app.on_after_configure.connect  # type: ignore[untyped-decorator]  # Celery ships no types
def _schedule_periodic_jobs(sender: Celery, **_kwargs: object) -> None:
    """Beat runs every other periodic job of the platform too (the app processes do not, in production)."""
    for job in jobs.periodic_jobs():
        if job.name != notification_tasks.SWEEP_JOB:
            sender.add_periodic_task(job.minutes * 60, run_job.s(job.name), name=job.name)


@app.task(name="tongban.job")  # type: ignore[untyped-decorator]  # Celery ships no types
def run_job(name: str) -> object:
    """Runs one of the platform's periodic jobs by name (core/jobs.py)."""
    return jobs.run(name)


REQUEST_ID_HEADER = "tongban_request_id"


@before_task_publish.connect  # type: ignore[untyped-decorator]  # Celery ships no types
def _carry_request_id(headers: dict[str, Any] | None = None, **_kwargs: object) -> None:
    """A task queued while serving a request carries the request's id in its message headers."""
    current = observability.request_id()
    if headers is not None and current:
        headers.setdefault(REQUEST_ID_HEADER, current)


@task_prerun.connect  # type: ignore[untyped-decorator]  # Celery ships no types
def _enter_request(task: Task | None = None, **_kwargs: object) -> None:
    """The task's log lines name the id it was queued under (a fresh one for the beat's jobs)."""
    if task is not None:
        task.request.tongban_request_token = observability.enter(task.request.get(REQUEST_ID_HEADER))


@task_postrun.connect  # type: ignore[untyped-decorator]  # Celery ships no types
def _leave_request(task: Task | None = None, **_kwargs: object) -> None:
    token = getattr(task.request, "tongban_request_token", None) if task is not None else None
    if token is not None:
        observability.leave(token)


@after_setup_logger.connect  # type: ignore[untyped-decorator]  # Celery ships no types
def _logging(logger: logging.Logger | None = None, **_kwargs: object) -> None:
    """Workers and the beat log like the app processes (text or JSON, with the request id)."""
    observability.configure_logging(celery_root=logger or logging.getLogger())
