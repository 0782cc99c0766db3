"""The platform's periodic jobs in one list. On one machine the app's embedded scheduler runs them
(tongban/asgi.py); in production the app processes leave them (``TONGBAN_SCHEDULER_ENABLED=false``) to the one
Celery beat, which runs the same list by name (tongban/celery.py). Plugins add theirs through their
``jobs()`` hook. Every job is safe to run again, and to run late."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from core.assessment.scheduled import compute_due_drafts
from core.cases.numbering import prepare_counters
from core.cases.scheduled import refresh_open_cases
from core.clock import today
from core.db import get_sessionmaker
from core.early_warnings import scheduled as warnings
from core.metrics import WARNING_SCAN_SECONDS
from core.plugins import hooks
from core.retry import in_transaction
from core.settings import get_settings
from core.supervision.scheduled import scan_escalations

log = logging.getLogger("tongban")


@dataclass(frozen=True)
class Job:
    """A periodic job: its name (for Celery beat), how often, what it runs and what a failure logs."""

    name: str
    minutes: float
    run: Callable[[], object]
    failure: str


def scan_deadlines() -> int:
    """Moves open cases between 正常 / 预警 / 逾期 as their working days run out."""
    with get_sessionmaker()() as db:
        changed = refresh_open_cases(db)
    log.info("时限扫描完成：%s 件办件状态有变化", changed)
    return changed


def scan_supervision() -> int:
    """Chases approval pushes not claimed or not answered in time (审管衔接催办)."""
    with get_sessionmaker()() as db:
        escalated = scan_escalations(db)
    if escalated:
        log.info("审批推送催办扫描完成：新增 %s 次催办", escalated)
    return escalated


def scan_warnings() -> int:
    """Raises, ends and escalates warnings of cases, project nodes, milestones and coordination issues (项目预警)."""
    with WARNING_SCAN_SECONDS.time():
        done = warnings.scan()
    if done.raised or done.ended or done.escalated:
        log.info("预警扫描完成：新增 %s 条，解除 %s 条，升级 %s 条", done.raised, done.ended, done.escalated)
    return done.raised


def send_warning_digests() -> int:
    """Each leader's morning digest of the day's red warnings, once a working day."""
    sent = warnings.send_digests()
    if sent:
        log.info("预警晨报已发送：%s 位领导", sent)
    return sent


def compute_assessment_drafts() -> int:
    """The last month's (and, at a quarter's start, the last quarter's) assessment drafts, computed by themselves on
    the first working day, for the administrator to review and publish (进度考核)."""
    made = compute_due_drafts()
    if made:
        log.info("已自动计算考核草稿：%s", "、".join(made))
    return len(made)


def refresh_figures() -> int:
    """Recomputes the boards' figures of today and of every day a case or rating changed since the last run
    (core/figures/scheduled.py); the first run builds them all."""
    from core.figures.scheduled import refresh

    return in_transaction(refresh)


def send_guidance_reminders() -> int:
    """Reminds the bookers of the next working day's 帮办预约, once each (the working day before)."""
    from core.guidance.scheduled import send_reminders

    with get_sessionmaker()() as db:
        sent = send_reminders(db)
    if sent:
        log.info("帮办预约提醒已发送：%s 条", sent)
    return sent


def prepare_case_numbers() -> int:
    """Makes the case-number counters of today and the coming days, so that the first case of a morning,
    registered at every window at once, takes a number with a single-row update."""
    return in_transaction(lambda db: prepare_counters(db, today()))


def purge_audit_log() -> int:
    """Deletes audit records past the retention period (never a younger one), keeping the hash chain verifiable."""
    from core.audit.service import purge_expired

    removed = in_transaction(lambda db: purge_expired(db, get_settings().audit_retention_days))
    if removed:
        log.info("审计日志保存期清理完成：删除 %s 条", removed)
    return removed


def purge_pending_uploads() -> int:
    """Deletes the files kept for application forms that were never sent again (core/cases/submissions.py)."""
    from core.cases.submissions import purge_pending

    removed = in_transaction(lambda db: purge_pending(db))
    if removed:
        log.info("申报表单遗留文件清理完成：删除 %s 个", removed)
    return removed


def exchange_nightly() -> int:
    """The nightly exchange batch: what the real-time path missed, for every connected counterpart (数据交换)."""
    from core.exchange.scheduled import nightly

    report = nightly()
    return sum(report.staged.values())


def periodic_jobs() -> list[Job]:
    """The core's jobs and the plugins'."""
    settings = get_settings()
    jobs = [
        Job("case-deadlines", settings.deadline_scan_minutes, scan_deadlines, "时限扫描失败"),
        Job("case-number-counters", 60, prepare_case_numbers, "办件编号计数器准备失败"),
        Job("supervision-escalations", settings.supervision_scan_minutes, scan_supervision, "审批推送催办扫描失败"),
        Job("early-warnings", settings.deadline_scan_minutes, scan_warnings, "预警扫描失败"),
        Job("warning-digests", 30, send_warning_digests, "预警晨报发送失败"),
        Job("board-figures", settings.figures_refresh_minutes, refresh_figures, "统计大屏数据刷新失败"),
        Job("assessment-drafts", 60, compute_assessment_drafts, "考核草稿自动计算失败"),
        Job("guidance-reminders", 30, send_guidance_reminders, "帮办预约提醒发送失败"),
        Job("audit-retention", 24 * 60, purge_audit_log, "审计日志保存期清理失败"),
        Job("phone-codes", 24 * 60, purge_phone_codes, "过期短信验证码清理失败"),
        Job("pending-uploads", 24 * 60, purge_pending_uploads, "申报表单遗留文件清理失败"),
        Job("backup", 60, nightly_backup, "夜间备份失败"),
        Job("exchange-nightly", 30, exchange_nightly, "数据交换夜间批量失败"),
    ]
    for plugin_jobs in hooks("jobs"):
        jobs += plugin_jobs()
    return jobs


def run(name: str) -> object:
    """Runs one job by name (Celery beat's task)."""
    jobs = {job.name: job for job in periodic_jobs()}
    if name not in jobs:
        raise LookupError(f"没有名为 {name} 的定时任务")
    return jobs[name].run()


def nightly_backup() -> int:
    """The night's backup of the database and stored files (hourly check; one backup a night, old ones pruned)."""
    from core.backup.service import nightly

    return nightly()


def purge_phone_codes() -> int:
    """Deletes registration codes that stopped working more than a day ago (注册验证码)."""
    from core.org.phone_codes import purge_expired

    removed = in_transaction(lambda db: purge_expired(db))
    if removed:
        log.info("过期短信验证码清理完成：删除 %s 条", removed)
    return removed
