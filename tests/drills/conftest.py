"""The cluster the fault drills break: `scripts/cluster.sh start` with its own directory and ports (given by
scripts/drills.sh), WeChat and WeCom pointed at fakes in this process, stopped at the end.

A plain `pytest` skips the drills; scripts/drills.sh runs them (TONGBAN_TEST_DRILLS=1), once per test command.
"""

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import MySQLdb
import pytest

from tests.channels.conftest import FakeWeChat
from tests.fakes.wecom_api import AGENT_ID, CORP_ID, SECRET, FakeWeCom

ROOT = Path(__file__).resolve().parents[2]
WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_ID = (
    "spamtest",
    "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "wx2c2769f8efd9abc2",
)
ADMIN, ADMIN_PASSWORD = "drilladmin", "Drill@2026tb"


class SlowWeCom(FakeWeCom):
    """WeCom taking 0.2 s per message, so that the killed worker dies with messages in hand."""

    def handle(self, path: str, query: dict[str, list[str]], raw: bytes) -> tuple[int, Any]:
        if path.endswith("/message/send"):
            time.sleep(0.2)
        return super().handle(path, query, raw)


@dataclass
class Cluster:
    """The running cluster and what the drills need to reach it."""

    base: str
    port_base: int
    directory: Path
    env: dict[str, str]
    wechat: FakeWeChat
    wecom: FakeWeCom
    admin_token: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    bot_start: "subprocess.Popen[bytes] | None" = None
    bot_output: str | None = None

    def script(self, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
        """Runs `scripts/cluster.sh ARGS` for this cluster; returns its output."""
        done = subprocess.run(
            ["bash", "scripts/cluster.sh", *args],
            cwd=ROOT,
            env=self.env | (env or {}),
            capture_output=True,
            text=True,
            check=False,
        )
        if check:
            assert done.returncode == 0, f"cluster.sh {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def bot_ready(self) -> None:
        """Waits (once) for the Rasa servers and the action server started beside the first drills."""
        assert self.bot_start is not None
        if self.bot_output is None:
            started = time.monotonic()
            output, _ = self.bot_start.communicate(timeout=600)
            self.bot_output = output.decode(errors="replace")
            self.timings["waited for the bot"] = time.monotonic() - started
        assert self.bot_start.returncode == 0, self.bot_output

    def pid(self, part: str) -> int:
        return int((self.directory / "run" / f"{part}.pid").read_text())

    def sql(self, query: str, *args: object) -> list[tuple[object, ...]]:
        """A query on the primary, as the app's account (a fresh connection each time)."""
        password = (self.directory / "secrets" / "db").read_text().strip()
        conn = MySQLdb.connect(
            host="127.0.0.1", port=self.port_base + 20, user="tongban", password=password, database="tongban"
        )
        try:
            with conn.cursor() as cur:
                cur.execute(query, args)
                return list(cur.fetchall())
        finally:
            conn.close()


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    port_base = int(os.environ["TONGBAN_TEST_CLUSTER_PORT_BASE"])
    directory = Path(os.environ["TONGBAN_TEST_CLUSTER_DIR"])
    wechat, wecom = FakeWeChat(), SlowWeCom().start()
    directory.mkdir(parents=True, exist_ok=True)
    extra = directory / "extra.env"
    extra.write_text(
        "\n".join(
            [
                f"TONGBAN_WECHAT_TOKEN={WECHAT_TOKEN}",
                f"TONGBAN_WECHAT_ENCODING_AES_KEY={WECHAT_AES_KEY}",
                f"TONGBAN_WECHAT_APP_ID={WECHAT_APP_ID}",
                "TONGBAN_WECHAT_APP_SECRET=drill-secret",
                f"TONGBAN_WECHAT_API_BASE_URL={wechat.base}",
                f"TONGBAN_WECOM_CORP_ID={CORP_ID}",
                f"TONGBAN_WECOM_SECRET={SECRET}",
                f"TONGBAN_WECOM_AGENT_ID={AGENT_ID}",
                f"TONGBAN_WECOM_API_BASE_URL={wecom.base_url}",
                "TONGBAN_NOTIFICATION_RETRY_BASE_SECONDS=1",
                "TONGBAN_NOTIFICATION_LEASE_SECONDS=10",  # a killed worker's notifications go again sooner
                "TONGBAN_BOT_KEPT_MESSAGES_MINUTES=0.25",  # kept messages answered 15 s after the bot is back
                "",
            ]
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_") or k == "TONGBAN_TEST_RUN"}
    env |= {
        "TONGBAN_CLUSTER_PORT_BASE": str(port_base),
        "TONGBAN_CLUSTER_DIR": str(directory),
        "TONGBAN_CLUSTER_SEED": "0",  # the drills bring their own rows; the demo seed takes minutes
        "TONGBAN_CLUSTER_EXTRA_ENV": str(extra),
    }
    made = Cluster(f"http://127.0.0.1:{port_base}", port_base, directory, env, wechat, wecom)
    keep = os.environ.get("TONGBAN_TEST_CLUSTER_KEEP") == "1"  # (developing a drill: reuse a running cluster)
    started = time.monotonic()
    try:
        if keep:  # the processes that talk to the fakes start again, with this run's fakes
            made.script("stop", "app1", "app2", "worker", "beat")
        # Everything but the bot first; the Rasa servers load their model (the slowest start by far) while the
        # first drills run, and the Rasa drill waits for them (Cluster.bot_ready).
        made.script("start", env={"TONGBAN_CLUSTER_BOT": "0"})
        made.timings["cluster start (without the bot)"] = time.monotonic() - started
        made.bot_start = subprocess.Popen(
            ["bash", "scripts/cluster.sh", "start", "actions", "rasa1", "rasa2"],
            cwd=ROOT,
            env=made.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        made.script(  # (a kept cluster has it already)
            "run", "tongban", "create-admin", ADMIN, "--name", "演练管理员", "--password", ADMIN_PASSWORD, check=False
        )
        made.admin_token = made.script("run", "tongban", "issue-token", ADMIN, "--hours", "2").strip().splitlines()[-1]
        yield made
    finally:
        if made.bot_start is not None and made.bot_start.poll() is None:
            made.bot_start.terminate()
            made.bot_start.wait(60)
        if not keep:
            made.script("stop", check=False)
        wechat.close()
        wecom.close()
        print("\n演练用时：" + "，".join(f"{k} {v:.1f} 秒" for k, v in made.timings.items()))


def wait_until(what: str, seconds: float, check: "object") -> float:
    """Polls ``check()`` until it is true; returns how long it took."""
    started = time.monotonic()
    while True:
        try:
            if check():  # type: ignore[operator]
                return time.monotonic() - started
        except (httpx.HTTPError, MySQLdb.MySQLError):
            pass
        assert time.monotonic() - started < seconds, f"{what}：{seconds} 秒内未发生"
        time.sleep(0.2)
