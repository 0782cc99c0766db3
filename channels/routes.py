"""The channels' callbacks: WeChat, WeCom, web chat, the REST channel and the exchange counterparts' signed pushes
(``/channels/...``).

Their API part, the hand-off (``/api/v1/handoffs``), is ``channels.views.router``; the composition root
(tongban/asgi.py) mounts both.
"""

from channels.exchange.push import router as exchange_router
from channels.rest.router import router as rest_router
from channels.webchat.router import router as webchat_router
from channels.wechat.router import router as wechat_router
from channels.wecom.router import router as wecom_router

CHANNEL_ROUTERS = (wechat_router, wecom_router, webchat_router, rest_router, exchange_router)
"""The callbacks' routers in matching order (tongban/asgi.py includes each itself: see tongban/routing.py)."""
