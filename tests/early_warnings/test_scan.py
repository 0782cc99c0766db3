"""Issue 14, acceptance 1: warnings fire exactly at their thresholds and exactly once per transition, across the
中秋 + 国庆 holidays of 2026 (9/25–9/27 and 10/1–10/7 off) and the 调休 Saturday 10/10; completing the subject ends
its warning; a later due date ends it too; a closed warning stays closed.

The node of department A is due on Friday 10/9. With yellow at 2 working days left and escalation after 2 working
days red: 9/29 has 3 working days left (9/30, 10/8, 10/9) — normal; 9/30 has 2 — yellow, and stays the one yellow
warning through the whole National Day week; 10/10, the 调休 Saturday, is the first day overdue — red, the yellow one
ended; red for 10/10 and 10/12 (Sunday 10/11 off), so escalated on 10/13 and not before.
"""

from datetime import date, datetime

from sqlalchemy.orm import Session

from core.early_warnings.models import EarlyWarning
from tests.early_warnings.conftest import at, issue, milestone, node, project, scan_at, set_thresholds, warnings
from tests.world import World

DUE = date(2026, 10, 9)


def levels(db: Session) -> list[tuple[str, str, str]]:
    """(level, state, end reason) of every warning, oldest first."""
    return [(w.level, w.state, w.end_reason) for w in warnings(db)]


def test_yellow_red_and_escalation_fire_exactly_at_their_thresholds_and_once(projects: World, db: Session) -> None:
    set_thresholds(db, "node", yellow=2, escalate=2, department=projects.dept_a)
    owner = project(db, projects.dept_a)
    node(db, owner, projects.dept_a, DUE)
    db.commit()

    for moment in (at(9, 24), at(9, 28), at(9, 29, 23, 59)):
        assert scan_at(moment).raised == 0, moment
    assert warnings(db) == []

    first = scan_at(at(9, 30, 0, 15))
    assert (first.raised, first.ended, first.escalated) == (1, 0, 0)
    [yellow] = warnings(db)
    assert (yellow.level, yellow.state, yellow.due_on) == ("yellow", "open", DUE)
    assert yellow.active_key == f"node:{yellow.subject_id}:yellow"
    assert yellow.title == "新能源电池产业园·建设工程规划许可：剩余 2 个工作日"
    assert yellow.department_id == projects.dept_a.id and yellow.major_project_id == owner.id

    # the holiday week, scanned every day and twice a day: still the one yellow warning
    for day in range(30, 31):
        assert scan_at(at(9, day, 16)).raised == 0
    for day in range(1, 10):
        assert scan_at(at(10, day, 9)).raised == 0
        assert scan_at(at(10, day, 23, 59)).raised == 0
    assert levels(db) == [("yellow", "open", "")]

    red = scan_at(at(10, 10, 0, 1))  # the 调休 Saturday: overdue
    assert (red.raised, red.ended, red.escalated) == (1, 1, 0)
    assert levels(db) == [("yellow", "ended", "已转为红色预警"), ("red", "open", "")]
    ended, current = warnings(db)
    assert ended.active_key is None and ended.ended_at == at(10, 10, 0, 1)
    assert current.title.endswith("：已逾期")

    for moment in (at(10, 10, 18), at(10, 11, 10), at(10, 12, 9), at(10, 12, 23, 59)):
        assert scan_at(moment) == type(red)(), moment  # nothing raised, ended or escalated
    assert all(w.escalated_at is None for w in warnings(db))

    escalation = scan_at(at(10, 13, 0, 5))
    assert (escalation.raised, escalation.ended, escalation.escalated) == (0, 0, 1)
    assert warnings(db)[1].escalated_at == at(10, 13, 0, 5)
    assert scan_at(at(10, 14)).escalated == 0  # once
    assert warnings(db)[1].escalated_at == at(10, 13, 0, 5)
    assert len(warnings(db)) == 2


def test_the_default_setting_applies_where_a_department_has_none(projects: World, db: Session) -> None:
    set_thresholds(db, "node", yellow=2, escalate=2, department=projects.dept_a)  # A's own; B follows the default
    owner = project(db, projects.dept_a)
    node(db, owner, projects.dept_a, DUE, name="施工许可")
    node(db, owner, projects.dept_b, DUE, name="环评批复")  # node default: yellow at 3 working days left
    db.commit()
    scan_at(at(9, 29, 9))  # 3 working days left
    [only_b] = warnings(db)
    assert only_b.department_id == projects.dept_b.id and only_b.title.endswith("环评批复：剩余 3 个工作日")


def test_completing_the_node_ends_its_warning_and_nothing_new_comes(projects: World, db: Session) -> None:
    owner = project(db, projects.dept_a)
    made = node(db, owner, projects.dept_a, DUE)
    db.commit()
    scan_at(at(10, 12))
    [red] = warnings(db)
    assert red.level == "red"

    made.state, made.actual_finish = "done", date(2026, 10, 12)
    db.merge(made)
    db.commit()
    result = scan_at(at(10, 12, 15))
    assert (result.raised, result.ended) == (0, 1)
    [done] = warnings(db)
    assert (done.state, done.end_reason, done.active_key) == ("ended", "审批节点已完成或不涉及", None)
    assert scan_at(at(10, 20)).raised == 0 and len(warnings(db)) == 1


def test_a_later_due_date_ends_the_warning_and_a_closed_one_stays_closed(projects: World, db: Session) -> None:
    owner = project(db, projects.dept_a)
    made = node(db, owner, projects.dept_a, DUE)
    other = node(db, owner, projects.dept_a, DUE, name="施工图审查")
    db.commit()
    scan_at(at(10, 12))
    _, second = warnings(db)
    second.state, second.closed_at, second.closing_note = "closed", at(10, 12, 11), "已协调，次日办结"
    db.commit()

    made.planned_finish = date(2026, 11, 30)  # moved well ahead: normal again
    other.state = "skipped"
    db.merge(made)
    db.merge(other)
    db.commit()
    assert scan_at(at(10, 12, 16)).ended == 2
    moved, closed = warnings(db)
    assert (moved.state, moved.active_key) == ("ended", None)
    assert moved.end_reason == "到期日或预警设置已调整，不再处于该预警状态"
    assert (closed.state, closed.active_key, closed.closing_note) == ("closed", None, "已协调，次日办结")
    assert closed.end_reason == "审批节点已完成或不涉及"


def test_milestones_and_issues_warn_their_departments(projects: World, db: Session) -> None:
    owner = project(db, projects.dept_c)
    milestone(db, owner, date(2026, 10, 12))  # no department of its own: the project's lead department
    issue(db, owner, date(2026, 10, 9), projects.dept_b, projects.dept_a)  # the first department asked
    db.commit()
    scan_at(at(10, 10, 9))
    found = {w.subject_kind: w for w in warnings(db)}
    assert found["milestone"].level == "yellow" and found["milestone"].department_id == projects.dept_c.id
    assert found["milestone"].title == "新能源电池产业园·里程碑“开工”：剩余 1 个工作日"
    assert found["issue"].level == "red" and found["issue"].department_id == projects.dept_b.id
    assert found["issue"].title == "新能源电池产业园·协调问题“临时用电接入”：已逾期"


def test_a_finished_project_warns_no_more(projects: World, db: Session) -> None:
    owner = project(db, projects.dept_a)
    node(db, owner, projects.dept_a, DUE)
    db.commit()
    scan_at(at(10, 12))
    owner.status = "cancelled"
    db.merge(owner)
    db.commit()
    scan_at(at(10, 12, 12))
    [ended] = warnings(db)
    assert ended.state == "ended"


def test_a_disabled_setting_raises_nothing_and_ends_what_was_raised(projects: World, db: Session) -> None:
    owner = project(db, projects.dept_a)
    node(db, owner, projects.dept_a, DUE)
    db.commit()
    scan_at(at(10, 12))
    from core.warning_settings.models import WarningSetting

    db.add(
        WarningSetting(
            subject_kind="node", department_id=projects.dept_a.id, yellow_days=3, escalate_days=5, is_enabled=False
        )
    )
    db.commit()
    result = scan_at(at(10, 12, 12))
    assert (result.raised, result.ended) == (0, 1)
    [ended] = warnings(db)
    assert ended.end_reason == "该部门已停用此类预警"


def test_switching_one_department_off_leaves_the_others_escalated_warnings_alone(projects: World, db: Session) -> None:
    owner = project(db, projects.dept_a)
    node(db, owner, projects.dept_a, date(2026, 9, 21), name="施工许可")
    node(db, owner, projects.dept_b, date(2026, 9, 21), name="环评批复")
    db.commit()
    assert scan_at(at(10, 12)).escalated == 2  # long overdue: red and escalated at once
    from core.warning_settings.models import WarningSetting

    db.add(
        WarningSetting(
            subject_kind="node", department_id=projects.dept_a.id, yellow_days=3, escalate_days=5, is_enabled=False
        )
    )
    db.commit()
    assert scan_at(at(10, 12, 12)).ended == 1
    states = {w.department_id: (w.state, w.end_reason) for w in warnings(db)}
    assert states == {projects.dept_a.id: ("ended", "该部门已停用此类预警"), projects.dept_b.id: ("open", "")}


def test_the_scan_reads_warnings_as_stored(projects: World, db: Session) -> None:
    owner = project(db, projects.dept_a)
    node(db, owner, projects.dept_a, DUE)
    db.commit()
    scan_at(datetime(2026, 10, 12, 9))
    again = scan_at(datetime(2026, 10, 12, 9, 15))
    assert (again.raised, again.ended, again.escalated, again.announced) == (0, 0, 0, 0)
    assert db.query(EarlyWarning).count() == 1
