"""The HTTP session every WeChat and WeCom API client here uses: the official addresses go to a configured
base URL (a fake server on 127.0.0.1 in tests and benchmarks)."""

from typing import Any

import requests

OFFICIAL_API = "https://api.weixin.qq.com"


class RewritingSession(requests.Session):
    """A requests session that sends the official API's addresses to another base URL."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        """Rewrites the address, then sends as usual."""
        if isinstance(url, str) and url.startswith(OFFICIAL_API):
            url = self.base_url + url[len(OFFICIAL_API) :]
        return super().request(method, url, *args, **kwargs)
