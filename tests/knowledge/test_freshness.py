"""A publish in one app process is searchable in every other without a restart (within a second or two on an
idle machine; the test allows a loaded one its time)."""

import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.knowledge.helpers import FAQ, publish
from tests.world import World

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # the app served by uvicorn in its own process
def test_publish_here_is_found_by_the_live_app_without_a_restart(
    client: TestClient, curators: World, live_app: str
) -> None:
    query = {"q": "施工证要带啥材料", "kind": "faq"}
    before = httpx.get(f"{live_app}/api/v1/knowledge/search", params=query, timeout=5).json()
    assert before["hits"] == []
    faq_id = publish(client, curators, "faq", FAQ)
    published_at = time.monotonic()
    while True:
        hits = httpx.get(f"{live_app}/api/v1/knowledge/search", params=query, timeout=5).json()["hits"]
        elapsed = time.monotonic() - published_at
        if hits:
            break
        assert elapsed < 20, "另一个进程 20 秒内仍未检索到新发布的问答"
        time.sleep(0.05)
    assert hits[0]["link"] == f"/knowledge/faqs/{faq_id}"
