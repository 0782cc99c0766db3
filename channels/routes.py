"""Mounts the channels: the WeChat and WeCom callbacks, web chat, the REST channel and the hand-off API."""

from fastapi import FastAPI

from channels.rest.router import router as rest_router
from channels.views import router as handoff_router
from channels.webchat.router import router as webchat_router
from channels.wechat.router import router as wechat_router
from channels.wecom.router import router as wecom_router
from core.api import ERROR_RESPONSES


def mount_channels(app: FastAPI) -> None:
    """Adds the channel routers to the app (``/channels/...``, and ``/api/v1/handoffs``)."""
    app.include_router(wechat_router)
    app.include_router(wecom_router)
    app.include_router(webchat_router)
    app.include_router(rest_router)
    app.include_router(handoff_router, prefix="/api/v1", responses=ERROR_RESPONSES)
