"""The table of the modules switched off (程序模块): one row per role and module that is off.

Only what is off is stored, so a module nobody switched is on for everyone: an install that never opens the
switchboard behaves as before it existed, and a module added later is on until someone switches it off.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core import cache
from core.db import Base, created_at_column

NAMESPACE = "modules"
"""The cache namespace of the switches (core/cache.py): a committed change empties it for every app process."""


class ModuleOff(Base):
    """A module switched off for a role."""

    __tablename__ = "module_off"
    __table_args__ = (UniqueConstraint("role_id", "module"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id", ondelete="CASCADE"))  # the unique key leads with it
    module: Mapped[str] = mapped_column(String(32), comment="模块编码（core/modules/registry.py MODULES）")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()


cache.watch(ModuleOff, NAMESPACE)
