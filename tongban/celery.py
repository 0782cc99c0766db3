"""The one Celery app (composition root): the workers' and the beat's, ``celery -A tongban.celery worker`` and
``celery -A tongban.celery beat`` (deploy/notifications-workers.md).

It reads the same ``TONGBAN_*`` settings as the app, carries every package's tasks (notifications' delivery
tasks are shared tasks, bound here) and has the beat run every periodic job: the core's (core/jobs.py) and the
plugins' (their ``jobs()`` hook), by name through one task. App processes load it too (tongban/asgi.py), so
what they hand to Redis goes through this app.
"""

from celery import Celery

import core.models  # noqa: F401  (every domain's tables in the metadata, so foreign keys across domains resolve)
from core import jobs
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
