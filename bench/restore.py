"""Benchmark (issue 17, backup and restore): how long ``tongban backup`` and ``tongban restore`` take with
1,000,000 cases on MariaDB — the figure the runbook's "primary lost" procedure (deploy/RUNBOOK.md) is planned with.

A private MariaDB with a binary log (bench/harness.py, ``TONGBAN_MARIADB_BINLOG=1``), the demo departments, items
and staff, and N cases with one recorded step each, written by the server itself from its sequence tables
(``INSERT … SELECT … FROM seq_1_to_N``: seconds, not the minutes the ORM would take). Then, timed:

- the backup (``mariadb-dump --single-transaction --master-data=2``, gzip, the manifest's checksums);
- the verification alone (reading every byte back);
- the restore (drop the database, load the dump) — what a restore costs after the verification;
- a point-in-time replay of 1,000 cases written after the backup.

    .venv/bin/python bench/restore.py                 (1,000,000 cases)
    .venv/bin/python bench/restore.py --cases 100000
"""

import argparse
import os
import random
from datetime import datetime, timedelta
from pathlib import Path

from harness import bench_environment, demo_applicant, timed

STAMP = datetime(2026, 11, 2, 10, 0)


def seed(cases: int) -> None:
    """Demo organisation, one applicant, then ``cases`` cases and their steps, by the server."""
    from sqlalchemy import text

    from core.audit.context import Actor, acting
    from core.db import get_engine, session_scope
    from core.seed import demo

    with session_scope() as db, acting(Actor(id=None, name="bench", kind="system")):
        departments = demo.seed_departments(db)
        items = demo.seed_items(db, departments)
        demo.ensure_roles(db)
        applicant_id = demo_applicant(db)
        item = items[0]
        item_id, department_id = item.id, item.department_id
    with get_engine().begin() as conn:
        conn.execution_options(tongban_audit=False)
        conn.execute(
            text(
                "INSERT INTO `case` (case_no, service_item_id, department_id, applicant_id, project_name, case_type,"
                " submit_channel, status, current_step, joint_stage, promised_limit, limit_unit, submitted_at,"
                " accepted_at, due_at, time_state, conclusion_reason, version, created_at, updated_at)"
                " SELECT CONCAT('BK', LPAD(seq, 12, '0')), :item, :department, :applicant, CONCAT('项目', seq), 2, 1,"
                " 'processing', 'review', 0, 10, '工作日', :at - INTERVAL (seq MOD 300) DAY,"
                " :at - INTERVAL (seq MOD 300) DAY, :at + INTERVAL 10 DAY, '正常', '', 1, :at, :at"
                f" FROM seq_1_to_{cases}"
            ),
            {"item": item_id, "department": department_id, "applicant": applicant_id, "at": STAMP},
        )
        conn.execute(
            text(
                "INSERT INTO case_step (case_id, step, action, opinion, opinion_public, handler_name,"
                " department_name, created_at) SELECT id, 'accept', 'accept', '材料齐全，予以受理', 1, '窗口人员',"
                " '', created_at FROM `case`"
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parser.parse_args()
    os.environ["TONGBAN_MARIADB_BINLOG"] = "1"  # scripts/mariadb.sh keeps a binary log, as production does
    with bench_environment("mariadb", "restore") as env:
        from sqlalchemy import func, select, text
        from sqlalchemy.engine import make_url

        from core import migrate
        from core.backup import pitr
        from core.backup import service as backups
        from core.backup.database import mariadb_query
        from core.cases.models import Case
        from core.clock import now
        from core.db import get_engine

        migrate.upgrade()
        _, seconds = timed(lambda: seed(args.cases))
        print(f"写入 {args.cases:,} 件办件（各一条办理记录）：{seconds:.1f} 秒")
        done, backup_s = timed(lambda: backups.create(folder=env.workdir / "backups"))
        size = done.manifest["database"]["size"]
        print(f"备份：{backup_s:.1f} 秒（压缩后的数据库导出 {size / 2**20:.1f} MiB）")
        _, verify_s = timed(lambda: backups.verify(done.path))
        print(f"校验备份：{verify_s:.1f} 秒")
        rng = random.Random(17)
        with get_engine().begin() as conn:
            conn.execution_options(tongban_audit=False)
            for _ in range(1000):
                conn.execute(
                    text("UPDATE `case` SET status='concluded', version=version+1 WHERE id=:id"),
                    {"id": rng.randint(1, args.cases)},
                )
        get_engine().dispose()
        until = now() + timedelta(seconds=1)
        while now() < until:
            pass
        _, restore_s = timed(lambda: backups.restore(done.path))
        print(f"恢复（校验 + 删库重建 + 导入）：{restore_s:.1f} 秒")
        folder = Path(mariadb_query(make_url(env.database_url), "SELECT @@datadir").strip())
        _, replay_s = timed(lambda: pitr.replay(env.database_url, done.manifest, folder, until))
        print(f"时间点恢复（重放备份后的 1,000 次更新）：{replay_s:.1f} 秒")
        with get_engine().connect() as conn:
            count = conn.execute(select(func.count()).select_from(Case)).scalar_one()
        print(f"恢复后办件数：{count:,}；合计（恢复 + 重放）：{restore_s + replay_s:.1f} 秒")


if __name__ == "__main__":
    main()
