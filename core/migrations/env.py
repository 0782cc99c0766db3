"""Alembic environment: runs against the configured database (or the URL set on the config)."""

from alembic import context

from core.db import make_engine
from core.models import Base
from core.plugins import load_models
from core.settings import get_settings

load_models()

config = context.config
url = config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        # a migration's own writes are not audited statement by statement (core/audit/statements.py): the
        # audit tables themselves may be changing under them
        connection.execution_options(tongban_audit=False)
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a table by rebuilding it (batch mode); dropping the old table under rows that refer
            # to it fails, or cascades, while foreign keys are enforced. The switch only works outside a
            # transaction, so it is made on the driver's connection before the migration's transaction begins,
            # and every reference is checked once the migrations are done.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            driver = connection.connection.driver_connection
            broken = driver.execute("PRAGMA foreign_key_check").fetchall()  # type: ignore[union-attr]
            driver.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
            if broken:
                raise RuntimeError(f"迁移后外键不一致：{broken[:5]}")
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
