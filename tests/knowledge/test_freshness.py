"""A publish in one app process is searchable in every other within a second or two."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import World
from tests.knowledge.helpers import FAQ, publish

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def other_process() -> Iterator[str]:
    """A second app process (uvicorn) on the same database, on 127.0.0.1."""
    port = _free_port()
    env = dict(os.environ, TONGBAN_SCHEDULER_ENABLED="false")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "tongban.asgi:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("第二个应用进程未能启动")
        yield base
    finally:
        server.terminate()
        server.wait(10)


def test_publish_here_is_found_by_the_other_process_within_two_seconds(
    client: TestClient, curators: World, other_process: str
) -> None:
    query = {"q": "施工证要带啥材料", "kind": "faq"}
    before = httpx.get(f"{other_process}/api/v1/knowledge/search", params=query, timeout=5).json()
    assert before["hits"] == []
    faq_id = publish(client, curators, "faq", FAQ)
    published_at = time.monotonic()
    while True:
        hits = httpx.get(f"{other_process}/api/v1/knowledge/search", params=query, timeout=5).json()["hits"]
        elapsed = time.monotonic() - published_at
        if hits:
            break
        assert elapsed < 2.0, "另一个进程 2 秒内仍未检索到新发布的问答"
        time.sleep(0.05)
    assert hits[0]["link"] == f"/knowledge/faqs/{faq_id}"
    assert elapsed < 2.0
