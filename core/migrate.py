"""Runs Alembic programmatically (no alembic.ini needed)."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from core.db import private_sqlite_file
from core.settings import get_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config for the given database URL (default: the configured one)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", (url or get_settings().database_url).replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Brings the database schema up to ``revision``."""
    _ensure_sqlite_dir(url or get_settings().database_url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    """Takes the database schema down to ``revision``."""
    command.downgrade(alembic_config(url), revision)


def _ensure_sqlite_dir(url: str) -> None:
    private_sqlite_file(url)  # the directory (0700) and the file (0600): personal data, readable by us only
