"""Case numbers a person can read aloud: prefix, date and a daily sequence, e.g. KF202611260017.

The per-day counter is created or bumped by one upsert statement inside the caller's transaction, so
its row lock (MySQL) or the write lock (SQLite) hands out each number once even when many windows
register at the same moment — including the first case of a day, where a separate "update, else insert"
would let two windows deadlock on the missing row.
"""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.orm import Session

from core.cases.models import CaseNumberCounter
from core.settings import get_settings


def _bump(db: Session, day: str) -> int:
    counter = CaseNumberCounter
    if db.get_bind().dialect.name == "mysql":
        # LAST_INSERT_ID(expr) remembers the value for this connection in both branches
        mysql_stmt = mysql.insert(counter).values(day=day, last=func.last_insert_id(1))
        db.execute(mysql_stmt.on_duplicate_key_update(last=func.last_insert_id(counter.last + 1)))
        return int(db.scalar(select(func.last_insert_id())) or 0)
    sqlite_stmt = sqlite.insert(counter).values(day=day, last=1)
    sqlite_stmt = sqlite_stmt.on_conflict_do_update(index_elements=[counter.day], set_={"last": counter.last + 1})
    return int(db.scalar(sqlite_stmt.returning(counter.last)) or 0)


def next_case_no(db: Session, at: datetime) -> str:
    """Returns the next free case number for the day of ``at``."""
    day = at.strftime("%Y%m%d")
    return f"{get_settings().case_no_prefix}{day}{_bump(db, day):04d}"
