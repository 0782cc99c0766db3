"""Pytest fixtures for the fake APIs; import the ones a test module needs."""

from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from wechatpy.session.memorystorage import MemoryStorage

from core.settings import get_settings
from notifications.providers import tokens
from tests.fakes.wechat_api import APP_ID as WECHAT_APP_ID
from tests.fakes.wechat_api import SECRET as WECHAT_SECRET
from tests.fakes.wechat_api import FakeWeChatTemplates
from tests.fakes.wecom_api import AGENT_ID, CORP_ID, SECRET, FakeWeCom


def forget_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new fake server is a new WeChat: access tokens kept in memory from another test's fake are void."""
    monkeypatch.setattr(tokens, "_memory", MemoryStorage())


@pytest.fixture
def fake_wecom(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeCom]:
    """A fake WeCom API, with the platform's WeCom app settings pointed at it."""
    forget_tokens(monkeypatch)
    fake = FakeWeCom().start()
    settings = get_settings()
    monkeypatch.setattr(settings, "wecom_corp_id", CORP_ID)
    monkeypatch.setattr(settings, "wecom_secret", SecretStr(SECRET))
    monkeypatch.setattr(settings, "wecom_agent_id", AGENT_ID)
    monkeypatch.setattr(settings, "wecom_api_base_url", fake.base_url)
    yield fake
    fake.close()


@pytest.fixture
def fake_wechat_templates(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeChatTemplates]:
    """A fake Official Account API for template messages, with the account's settings pointed at it."""
    forget_tokens(monkeypatch)
    fake = FakeWeChatTemplates().start()
    settings = get_settings()
    monkeypatch.setattr(settings, "wechat_app_id", WECHAT_APP_ID)
    monkeypatch.setattr(settings, "wechat_app_secret", SecretStr(WECHAT_SECRET))
    monkeypatch.setattr(settings, "wechat_api_base_url", fake.base_url)
    yield fake
    fake.close()
