"""The ``tongban`` command line: migrate, seed demo data, create an admin, issue tokens, serve."""

import getpass
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy import select

import core.models  # noqa: F401  (every domain's tables in the metadata, so foreign keys across domains resolve)
from core import migrate as migrations
from core.audit.context import Actor, acting
from core.db import session_scope
from core.plugins import hooks as plugin_hooks
from core.settings import get_settings

app = typer.Typer(help="通办 Tongban — 一网通办平台命令行", no_args_is_help=True, pretty_exceptions_enable=False)
CLI_ACTOR = Actor(id=None, name="命令行", kind="system")


@app.callback()
def _check_settings() -> None:
    """Stops with a clear message when the settings are incomplete."""
    try:
        get_settings()
    except ValidationError as exc:
        fields = "、".join("TONGBAN_" + str(e["loc"][0]).upper() for e in exc.errors())
        typer.echo(f"配置不完整：请设置 {fields}（环境变量或 .env 文件；scripts/run.sh 会自动生成）。", err=True)
        raise typer.Exit(2) from exc


@app.command()
def migrate(revision: str = "head") -> None:
    """Upgrade the database schema (数据库迁移)."""
    migrations.upgrade(revision=revision)
    typer.echo(f"数据库已迁移到 {revision}：{get_settings().database_url.split('@')[-1]}")


@app.command()
def downgrade(revision: Annotated[str, typer.Argument()] = "base") -> None:
    """Downgrade the database schema."""
    migrations.downgrade(revision=revision)
    typer.echo(f"数据库已回退到 {revision}")


@app.command()
def seed(
    cases: Annotated[int, typer.Option(help="演示办件数量")] = 400,
    if_empty: Annotated[bool, typer.Option(help="已有数据时跳过")] = False,
) -> None:
    """Seed demo data: departments, service items, staff and a year of cases (演示数据)."""
    from core.seed import demo

    with session_scope() as db:
        if if_empty and demo.has_demo_data(db):
            for report in demo.top_up(db):
                if report.version is not None:
                    typer.echo(report.text())
            for seed_plugin in plugin_hooks("seed"):
                seed_plugin(
                    db, None
                )  # each adds only what a database seeded before lacks (the knowledge base: new laws)
            typer.echo("已有演示数据，跳过。")
            return

        def progress(stage: str, done: int, total: int) -> None:
            typer.echo(f"[演示数据] {stage} {done}/{total}")

        demo.seed_all(db, cases=cases, progress=progress)
        for seed_plugin in plugin_hooks("seed"):
            seed_plugin(db, progress)
    typer.echo(f"演示数据已生成：{cases} 件办件。`tongban demo-logins` 列出演示账号。")


figures_app = typer.Typer(help="统计大屏数据（预计算的统计数）", no_args_is_help=True)
app.add_typer(figures_app, name="figures")


@figures_app.command("rebuild")
def figures_rebuild() -> None:
    """Recompute every board figure from the cases and ratings, month by month (统计数据重建)."""
    from core.figures.scheduled import rebuild

    def progress(month: str, done: int, total: int) -> None:
        typer.echo(f"[统计数据] {month} {done}/{total}")

    with acting(CLI_ACTOR), session_scope() as db:
        days = rebuild(db, progress)
    typer.echo(f"统计数据已重建：{days} 天。")


@figures_app.command("refresh")
def figures_refresh() -> None:
    """Recompute today and the days changed since the last refresh (统计数据增量刷新)."""
    from core.figures.scheduled import refresh

    with acting(CLI_ACTOR), session_scope() as db:
        days = refresh(db)
    typer.echo(f"统计数据已刷新：{days} 天。")


@app.command("demo-logins")
def demo_logins() -> None:
    """Print a few demo logins (password Demo@2026tb)."""
    from core.org.models import User
    from core.seed.demo import DEMO_PASSWORD

    with session_scope() as db:
        users = list(db.scalars(select(User).where(User.is_active.is_(True)).order_by(User.id).limit(8)))
        typer.echo(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for user in users:
            roles = "、".join(r.name for r in user.roles)
            department = user.department.name if user.department else ""
            typer.echo(f"  {user.username:<14} {user.name:<6} {roles} {department}")
        typer.echo(
            "  其余部门账号：clerk_<部门编码小写>（部门第一个窗口；clerk2_… 为第二个窗口）/ officer_<部门编码小写>，"
            "见 管理端 → 用户管理"
        )


@app.command("create-admin")
def create_admin(username: str, name: str = "系统管理员", password: str | None = None) -> None:
    """Create an administrator (prompts for the password)."""
    from core.org import service as org_service
    from core.seed.demo import ensure_roles

    secret = password or getpass.getpass("密码：")
    with session_scope() as db, acting(CLI_ACTOR):
        ensure_roles(db)
        org_service.create_user(db=db, username=username, name=name, password=secret, role_codes=["admin"])
    typer.echo(f"管理员 {username} 已创建。")


@app.command("issue-token")
def issue_token(username: str, name: str = "service", hours: int = 0) -> None:
    """Issue a bearer token for a user (service clients such as the bot's action server); 0 = no expiry."""
    from core.org import service as org_service

    with session_scope() as db, acting(CLI_ACTOR):
        user = org_service.get_user_by_login(db=db, login=username)
        if user is None:
            raise typer.BadParameter(f"用户 {username} 不存在")
        token = org_service.issue_token(db=db, user=user, name=name, ttl_hours=hours)
    typer.echo(token)


@app.command("rules-update")
def rules_update() -> None:
    """Publish the seed rule-set updates this database lacks: draft, dry-run, publish, as the system (规则更新)."""
    from core.projects import rule_updates

    with session_scope() as db:
        for report in rule_updates.apply_pending(db):
            typer.echo(report.text())


@app.command("scan-deadlines")
def scan_deadlines() -> None:
    """Refresh due dates and 正常/预警/逾期 of open cases (the periodic job, run once now)."""
    from core.jobs import scan_deadlines as scan

    changed = scan()
    typer.echo(f"时限状态有变化的在办办件：{changed} 件。")


@app.command("audit-verify")
def audit_verify() -> None:
    """Check the audit log's hash chain and report the first broken link (审计日志完整性校验)."""
    from core.audit import service as audit_service
    from core.db import get_sessionmaker

    def progress(done: int, total: int) -> None:
        typer.echo(f"[审计日志校验] 已校验 {done}/{total} 条")

    with get_sessionmaker()() as db:
        verdict = audit_service.verify(db, progress)
    if verdict.broken is None:
        typer.echo(f"审计日志完整：共校验 {verdict.checked} 条记录，哈希链无断点。")
        return
    broken = verdict.broken
    at = broken.at.strftime("%Y-%m-%d %H:%M:%S") if broken.at else "时间不详"
    typer.echo(f"审计日志被篡改：第一个断点在第 {broken.id} 条记录（{at}）：{broken.reason}。", err=True)
    raise typer.Exit(1)


@app.command()
def backup(
    to: Annotated[str | None, typer.Option(help="备份目录（默认 TONGBAN_BACKUP_DIR）")] = None,
    keep: Annotated[int, typer.Option(help="保留最近几份备份（0 = 不删除旧备份）")] = 0,
) -> None:
    """Back up the database and the stored files into a new folder with a checksum manifest (备份)."""
    from pathlib import Path

    from core.backup import service as backups

    folder = Path(to) if to else None
    done = backups.create(folder=folder, progress=lambda stage: typer.echo(f"[备份] {stage}"))
    database = done.manifest["database"]
    typer.echo(f"备份完成：{done.path}（数据库 {database['size']:,} 字节，文件 {done.manifest['files']['count']} 个）")
    if database["binlog"]:
        typer.echo(
            f"二进制日志位置：{database['binlog']['file']}:{database['binlog']['position']}（时间点恢复由此开始）"
        )
    if keep:
        for path in backups.prune(keep=keep, folder=folder):
            typer.echo(f"已删除旧备份：{path}")


@app.command()
def restore(
    path: Annotated[str, typer.Argument(help="备份目录，例如 var/backups/20261205-020000")],
    until: Annotated[
        str | None, typer.Option(help="时间点恢复：重放二进制日志到此时刻（北京时间 YYYY-MM-DD HH:MM:SS）")
    ] = None,
    binlog_dir: Annotated[str | None, typer.Option(help="二进制日志所在目录（时间点恢复用）")] = None,
    files_from: Annotated[str | None, typer.Option(help="同步保存的上传文件副本（补回备份之后上传的文件）")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="不再确认")] = False,
) -> None:
    """Restore the database and the stored files from a backup, optionally up to a moment (恢复)."""
    from datetime import datetime
    from pathlib import Path

    from core.backup import pitr
    from core.backup import service as backups
    from core.errors import ValidationFailed

    moment = None
    if until:
        try:
            moment = datetime.strptime(until, "%Y-%m-%d %H:%M:%S")
        except ValueError as exc:
            raise typer.BadParameter("时间格式应为 YYYY-MM-DD HH:MM:SS，例如 2026-12-05 10:30:00") from exc
        if not binlog_dir:
            raise typer.BadParameter("时间点恢复需要 --binlog-dir（二进制日志所在目录）")
        if not get_settings().database_url.startswith(("mysql", "mariadb")):
            raise typer.BadParameter("时间点恢复只适用于 MariaDB（SQLite 只能恢复到备份时刻）")
    source = Path(path)
    try:
        backups.verify(source)
        if not yes:
            typer.confirm(f"将用备份 {source} 覆盖当前数据库和已存文件，请先停止所有应用进程。继续吗？", abort=True)
        manifest = backups.restore(source, progress=lambda stage: typer.echo(f"[恢复] {stage}"))
        typer.echo(f"已恢复到备份时刻 {manifest['created_at']}。")
        if moment is not None and binlog_dir:
            typer.echo("[恢复] 正在重放二进制日志")
            done = pitr.replay(get_settings().database_url, manifest, Path(binlog_dir), moment)
            typer.echo(f"已重放 {len(done.files)} 个二进制日志文件，数据恢复到 {moment:%Y-%m-%d %H:%M:%S}。")
        if files_from:
            added = backups.add_shipped_files(Path(files_from))
            typer.echo(f"已从 {files_from} 补回备份之后上传的文件 {added} 个。")
    except ValidationFailed as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from exc
    typer.echo("请运行 `tongban migrate`（备份来自旧版本时）后再启动应用。")


@app.command("bot-contract")
def bot_contract() -> None:
    """Rewrite bot/tests/openapi.json and api_fixtures.json from this app (the bot's fake API checks against them)."""
    from tongban import bot_contract as contract  # the app itself writes them

    contract.write()
    typer.echo(f"已写出 {contract.OPENAPI_FILE} 和 {contract.FIXTURES_FILE}（机器人的测试据此核对接口）。")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1, reload: bool = False) -> None:
    """Run the web app (API, portal, admin)."""
    import uvicorn

    # X-Forwarded-For / -Proto are believed only from TONGBAN_TRUSTED_PROXIES (uvicorn's own default would
    # believe anything on 127.0.0.1); core/rate_limit.py's client_ip applies the same list.
    proxies = list(get_settings().trusted_proxies)
    uvicorn.run(
        "tongban.asgi:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        log_level="info",
        access_log=False,  # the app writes its own access line, with the request id (core/observability.py)
        server_header=False,  # no "server: uvicorn" telling a probe what to try
        # Idle connections from nginx are closed by nginx (upstream keepalive_timeout 60 s), never by us first: a
        # request nginx sends on a connection we are closing that moment fails, and a POST is not sent again.
        timeout_keep_alive=75,
    )


if __name__ == "__main__":
    app()
