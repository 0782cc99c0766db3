"""The real nginx with the project's site (deploy/nginx, rendered by scripts/cluster.sh as on the cluster) in front
of the served app: an anonymous page comes from nginx's cache the second time; a signed-in person never gets a
cached page nor anyone else's cookie; an admin's edit of a guide, and its withdrawal, show on the cached page
within its seconds."""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from core.seed.demo import DEMO_PASSWORD
from tests import processes
from tests.world import World, item_in

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("sqlite")]

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 2  # TONGBAN_EDGE_CACHE_SECONDS of the served app: short, so that the edit shows soon


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _port_base() -> int:
    """A base B with nginx's port B, the app's B+1 and the Rasa balancer's B+10 free (scripts/cluster.sh's layout)."""
    for _ in range(50):
        base = processes.free_port()
        if base < 65000 and all(_free(base + n) for n in (0, 1, 10)):
            return base
    pytest.fail("找不到空闲端口")


@contextmanager
def nginx_in_front() -> Iterator[str]:
    """The app on B+1 (the test database) and `scripts/cluster.sh start nginx` on B with one app behind it. The
    cluster's directory is one nginx's workers (another user when started as root) can enter: not pytest's
    private tmp_path."""
    directory = Path(tempfile.mkdtemp(prefix="tongban-edge-cache-"))
    directory.chmod(0o755)
    base = _port_base()
    env = dict(os.environ, TONGBAN_SCHEDULER_ENABLED="false", TONGBAN_EDGE_CACHE_SECONDS=str(SECONDS))
    command = [sys.executable, "-m", "uvicorn", "tongban.asgi:create_app", "--factory", "--no-server-header"]
    app = processes.spawn([*command, "--host", "127.0.0.1", "--port", str(base + 1), "--log-level", "warning"], env=env)
    cluster = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_") or k == "TONGBAN_TEST_RUN"}
    cluster |= {
        "TONGBAN_CLUSTER_DIR": str(directory),
        "TONGBAN_CLUSTER_PORT_BASE": str(base),
        "TONGBAN_CLUSTER_APPS": "1",
        "TONGBAN_CLUSTER_BOT": "0",
    }

    def script(*args: str) -> None:
        done = subprocess.run(["bash", "scripts/cluster.sh", *args], cwd=ROOT, env=cluster, capture_output=True)
        assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()

    try:
        script("start", "nginx")
        front = f"http://127.0.0.1:{base}"
        with httpx.Client(timeout=5) as http:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if http.get(f"{front}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert app.poll() is None, "应用进程启动失败"
                assert time.monotonic() < deadline, "应用未能在 90 秒内经 nginx 就绪"
                time.sleep(0.2)
        yield front
    finally:
        script("stop", "nginx")
        processes.stop(app)
        shutil.rmtree(directory, ignore_errors=True)


def _sign_in(front: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=front, timeout=10)
    login = client.get("/login")
    assert login.headers.get("x-cache-status") in (None, "MISS", "BYPASS")  # a form page is never kept
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
    assert token
    done = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token.group(1)})
    assert done.status_code == 303, done.text
    return client


def test_nginx_keeps_anonymous_pages_only_and_shows_an_edit_within_seconds(db: Session, world: World) -> None:
    guide = f"/guides/{world.item.id}"
    with nginx_in_front() as front:
        with httpx.Client(base_url=front, timeout=10) as anonymous:
            first, second = anonymous.get(guide), anonymous.get(guide)
            assert first.status_code == second.status_code == 200
            assert first.headers["x-cache-status"] == "MISS" and second.headers["x-cache-status"] == "HIT"
            assert second.text == first.text and "x-accel-expires" not in second.headers  # nginx strips it
            assert "set-cookie" not in first.headers and "set-cookie" not in second.headers
            assert "便民服务中心二楼A区12号窗口" in second.text and "登录" in second.text

        citizen, other = _sign_in(front, "13800000001"), _sign_in(front, "13800000002")
        try:
            own_cookie = citizen.cookies["tongban_session"]
            for _ in range(2):
                page = citizen.get(guide)
                assert page.headers["x-cache-status"] == "BYPASS" and page.headers["cache-control"] == "no-store"
                assert "孙市民" in page.text and "周市民" not in page.text
                theirs = other.get(guide)
                assert theirs.headers["x-cache-status"] == "BYPASS"
                assert "周市民" in theirs.text and "孙市民" not in theirs.text
                assert own_cookie not in theirs.headers.get("set-cookie", "")
            # what the signed-in people were shown was not kept for the next anonymous visitor
            after = httpx.get(f"{front}{guide}", timeout=10)
            assert after.headers["x-cache-status"] in ("HIT", "EXPIRED", "UPDATING", "STALE", "MISS")
            assert "孙市民" not in after.text and "周市民" not in after.text and "set-cookie" not in after.headers
        finally:
            citizen.close()
            other.close()

        # The admin changes the guide's address (through nginx, with a token: never from the cache).
        edited = item_in(world.dept_a, name=world.item.name, location="便民服务中心三楼B区8号窗口")
        saved = httpx.put(
            f"{front}/api/v1/items/{world.item.id}",
            json=edited.model_dump(mode="json"),
            headers=world.auth("admin"),
            timeout=30,
        )
        assert saved.status_code == 200, saved.text
        deadline = time.monotonic() + 30  # the cache's SECONDS, plus the one request that refreshes it
        with httpx.Client(base_url=front, timeout=10) as anonymous:
            while "便民服务中心三楼B区8号窗口" not in anonymous.get(guide).text:
                assert time.monotonic() < deadline, "修改后的办事指南在缓存时间过后仍未显示"
                time.sleep(0.5)
            assert anonymous.get(guide).headers["x-cache-status"] in ("HIT", "MISS")

            # Withdrawn: the address answers 404 for everyone within the seconds (its 404 replaces the kept page;
            # nginx would otherwise go on handing out the stale page while refreshing it).
            withdrawn = httpx.post(
                f"{front}/api/v1/items/{world.item.id}/unpublish", headers=world.auth("admin"), timeout=30
            )
            assert withdrawn.status_code == 200, withdrawn.text
            deadline = time.monotonic() + 30
            while anonymous.get(guide).status_code != 404:
                assert time.monotonic() < deadline, "下线的办事指南在缓存时间过后仍然显示"
                time.sleep(0.5)
            for _ in range(5):
                assert anonymous.get(guide).status_code == 404
