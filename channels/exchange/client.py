"""A counterpart's HTTP client: signed JSON requests with its TLS settings and timeout (settings, per counterpart).

Whatever goes wrong on the way — no connection, a timeout, HTTP 5xx, an answer that is not JSON — is a
:class:`TransportError` with a Chinese message for the exchange log; ``retryable`` says whether trying again later
may help (a 4xx other than 408/429 is the counterpart refusing the request as it is).
"""

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from channels.exchange.signing import sign
from core.exchange.standard import canonical
from core.settings import CounterpartSettings


class TransportError(Exception):
    """The request did not get a usable answer."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class Client:
    """One counterpart's endpoint."""

    def __init__(self, config: CounterpartSettings) -> None:
        self.config = config
        self.base = config.base_url.rstrip("/")
        self.session = requests.Session()
        self.session.verify = config.ca_file or config.verify_tls
        if config.client_cert:
            self.session.cert = config.client_cert

    def close(self) -> None:
        self.session.close()

    def request(
        self, method: str, path: str, *, params: dict[str, str] | None = None, body: Any = None
    ) -> tuple[int, Any]:
        """Sends one signed request; returns the status and the JSON answer."""
        query = f"?{urlencode(sorted(params.items()))}" if params else ""
        url = f"{self.base}{path}{query}"
        target = urlsplit(url).path + query
        data = canonical(body) if body is not None else b""
        headers = sign(self.config.app_id, self.config.secret.get_secret_value(), method, target, data)
        headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            response = self.session.request(
                method, url, data=data or None, headers=headers, timeout=self.config.timeout_seconds
            )
        except requests.Timeout as exc:
            raise TransportError("对方平台响应超时") from exc
        except requests.exceptions.SSLError as exc:
            raise TransportError("与对方平台的 TLS 证书校验失败，请检查证书配置") from exc
        except requests.RequestException as exc:
            raise TransportError(f"无法连接对方平台（{type(exc).__name__}）") from exc
        status = response.status_code
        if status >= 500 or status in (408, 429):
            raise TransportError(f"对方平台暂时无法处理（HTTP {status}）")
        try:
            answer = response.json()
        except (ValueError, json.JSONDecodeError) as exc:
            raise TransportError(f"对方平台的应答无法解析（HTTP {status}）") from exc
        if status >= 400:
            message = answer.get("message") if isinstance(answer, dict) else None
            raise TransportError(f"对方平台拒绝了请求（HTTP {status}）：{message or '无说明'}", retryable=status == 401)
        return status, answer
