"""One settings class for the whole platform; every value can be set as an environment variable
prefixed ``TONGBAN_`` (for example ``TONGBAN_DATABASE_URL``) or in a ``.env`` file."""

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class CounterpartSettings(BaseModel):
    """How one exchange counterpart (core/exchange) is reached: a city or provincial platform. All of it is data, so
    an operator reconfigures a counterpart (address, keys, code tables) without a code change."""

    base_url: str = ""
    """Where its exchange interface answers, e.g. ``https://zwfw.example.gov.cn/exchange``; empty = not connected."""
    app_id: str = ""
    """Our identity at the counterpart (sent with every signed request)."""
    secret: SecretStr = SecretStr("")
    """The shared HMAC key (from the environment or a secrets file, never from code)."""
    verify_tls: bool = True
    """Check the counterpart's certificate; a private CA goes in ``ca_file``."""
    ca_file: str = ""
    client_cert: str = ""
    """A client certificate (PEM, key included) when the counterpart asks for mutual TLS."""
    timeout_seconds: float = 10.0
    batch_size: int = Field(100, ge=1, le=1000)
    """Records per request."""
    code_maps: dict[str, dict[str, str]] = {}
    """Local code → their code, per field, e.g. ``{"department": {"DA": "511602-CG"}}``; unmapped values go as they are."""
    enabled: bool = True


class Settings(BaseSettings):
    """Platform settings. Secrets come only from here, never from code."""

    model_config = SettingsConfigDict(env_prefix="TONGBAN_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///var/tongban.db"
    database_replica_url: str | None = None
    """A read replica of ``database_url`` (MariaDB replication) for pages and endpoints that only read and may be a
    moment behind: publicity, statistics, reports, dashboards (core/deps.py ``ReplicaDB``). Unset: they read the
    primary. Nothing is ever written through it (its connections are read-only)."""
    database_connect_timeout_seconds: int = 3
    """How long a new database connection may take before the request gives up with a Chinese 503: while the
    primary restarts, requests fail at once instead of queueing, and the first one after it is back reconnects."""
    secret_key: SecretStr = Field(
        ..., min_length=32, description="signs sessions and derives the field-encryption and hash keys"
    )
    data_dir: Path = Path("var")
    redis_url: str | None = None
    public_cache_seconds: float = 30.0
    """How long the public pages' cached data (core/cache.py: catalogue, guides, publicity, past months'
    statistics) may be kept at most; a write empties what it changes sooner. 0 turns the cache off."""
    edge_cache_seconds: int = 5
    """How long nginx may keep a whole public page for anonymous visitors (core/edge_cache.py: the app sends
    ``X-Accel-Expires`` with it; deploy/nginx/tongban.conf). A change shows on those pages within this many
    seconds (plus the one request that refreshes the entry). 0: no page is kept."""
    base_url: str = "http://127.0.0.1:8000"
    centre_name: str = "XX经济开发区便民服务中心"
    case_no_prefix: str = "KF"
    argon2_time_cost: int = 3
    argon2_memory_cost_kib: int = 65536
    argon2_parallelism: int = 4
    """Password hashing cost (argon2id; RFC 9106's second recommendation by default, ~0.1 s a hash here).
    Only the test suite lowers it, to create its staff quickly; a hash records its own cost, so logins verify
    whatever cost made the hash."""
    upload_max_bytes: int = 20 * 1024 * 1024
    upload_types: tuple[str, ...] = ("pdf", "jpg", "jpeg", "png", "ofd", "doc", "docx", "xls", "xlsx")
    request_max_bytes: int = 64 * 1024 * 1024
    """The largest request body accepted (core/limits.py); a larger one is refused with 413 before it is read. An
    online application form carries all its materials at once (each up to ``upload_max_bytes``), hence the margin."""
    progress_query_rate: str = "10/minute"
    progress_case_rate: str = "20/hour"
    """Failed progress queries per case number (from any address) beyond which every further query of that case
    is slowed down by ``progress_slowdown_seconds`` — never refused, so the applicant still gets in."""
    progress_address_case_rate: str = "5/hour"
    """Failed progress queries allowed per (address, case number); beyond it that address may not query that case."""
    progress_slowdown_seconds: float = 1.0
    login_rate: str = "10/minute"
    login_lockout_failures: int = 5
    """Consecutive wrong passwords that lock an account (on top of the per-address ``login_rate``)."""
    login_lockout_minutes: int = 15
    sms_provider: str = "console"
    """短信通道 for verification codes (core/sms.py): ``console`` writes each message to the log and to
    ``<data_dir>/sms_outbox.log`` instead of sending it — for development and tests only; production configures a
    gateway provider here."""
    sms_code_ttl_minutes: int = 10
    """How long a registration code (注册验证码) stays valid."""
    sms_code_max_attempts: int = 5
    """Wrong entries of one code after which it is void and a new one must be requested."""
    sms_phone_rate: str = "1/minute"
    sms_phone_daily_rate: str = "10/day"
    """Codes sent to one phone number: at most one a minute and this many a day."""
    sms_ip_rate: str = "20/hour"
    """Codes requested from one address (someone trying many numbers, or sending texts to strangers)."""
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    """Addresses or networks (comma-separated, e.g. ``10.0.0.5,172.16.0.0/12``) of the reverse proxies whose
    ``X-Forwarded-For`` is believed; empty (the default) believes nobody's and uses the connection's address."""
    session_max_age_seconds: int = 8 * 3600
    """Absolute lifetime of a citizen's web session."""
    staff_session_idle_minutes: int = 30
    """A staff session unused this long ends (等保: idle timeout)."""
    staff_session_absolute_hours: int = 8
    """A staff session ends this long after login, however busy."""
    token_ttl_hours: int = 12
    cookie_secure: bool = False
    """Send cookies only over https; on by itself whenever ``base_url`` is https."""
    password_max_age_days: int = 90
    """Staff passwords expire after this many days and must be changed at the next login (0 turns expiry off)."""
    require_two_factor: bool = True
    """Administrators and auditors (users who may manage users and roles or read the audit log) must use a TOTP
    second factor; without one enrolled they enrol at their next login. ``scripts/run.sh``'s demo turns it off."""
    sql_echo: bool = False
    scheduler_enabled: bool = True
    """Run periodic jobs inside the app process (embedded default); production turns this off for Celery beat."""
    deadline_scan_minutes: int = 15
    figures_refresh_minutes: float = Field(2, gt=0)
    """How often the boards' figures (core/figures) catch up with the cases: the hall screen is at most this late."""
    audit_retention_days: int = Field(180, ge=180)
    """Audit records are kept at least this long (等保三级: ≥ 180 days); the daily job deletes only older ones."""
    supervision_claim_working_days: int = 3
    """审管衔接: a push unclaimed after this many working days is escalated (a push configuration may override)."""
    supervision_feedback_working_days: int = 20
    """审管衔接: a claimed push without feedback after this many working days is escalated (overridable)."""
    supervision_scan_minutes: int = 30
    worker_threads: int = 200  # threads for sync routes per process (see tongban/asgi.py)
    plugins: tuple[str, ...] = ("knowledge", "channels", "notifications")
    """Packages that plug into the core (core/plugins.py)."""

    # ---- the bot and its channels (channels/)
    rasa_url: str = "http://127.0.0.1:5005/webhooks/rest/webhook"
    """Rasa's REST channel; the gateway posts every user turn there."""
    rasa_timeout_seconds: float = 15.0
    handoff_after_failures: int = 3
    """Consecutive turns the bot could not answer (fallback or bot down) before it offers a person."""
    wechat_token: SecretStr = SecretStr("")
    """Official Account callback token; empty turns the WeChat callback off."""
    wechat_encoding_aes_key: SecretStr = SecretStr("")
    """EncodingAESKey (43 characters) for safe mode; empty accepts plain mode only."""
    wechat_app_id: str = ""
    wechat_app_secret: SecretStr = SecretStr("")
    wechat_api_base_url: str = "https://api.weixin.qq.com"
    """Where the WeChat API is reached (tests and benchmarks point it at a fake server on 127.0.0.1)."""
    wechat_reply_window_seconds: float = 4.0
    """How long a callback waits for the bot before answering ``success`` and sending a customer-service message."""
    webchat_rate: str = "30/minute"
    """Web chat messages allowed per browser session."""

    # ---- staff in chat (WeCom, channels/wecom) and notifications (notifications/)
    wecom_corp_id: str = ""
    wecom_agent_id: int = 0
    wecom_secret: SecretStr = SecretStr("")
    """The WeCom app's secret; empty turns WeCom sending off (notifications fall back to the in-site inbox)."""
    wecom_token: SecretStr = SecretStr("")
    """WeCom callback token; empty turns the WeCom callback off."""
    wecom_encoding_aes_key: SecretStr = SecretStr("")
    wecom_api_base_url: str = "https://qyapi.weixin.qq.com"
    """Where the WeCom API is reached (tests and benchmarks point it at a fake server on 127.0.0.1)."""
    wecom_member_rate_per_minute: int = 30
    """WeCom drops (silently) more than 30 app messages per member per minute: the outbox queues beyond it."""
    wecom_card_valid_hours: int = 72
    """A card's button click can update the card for 72 h (WeCom's response_code); older cards are stale."""
    wechat_templates: dict[str, str] = {}
    """Official Account template ids by event kind, e.g. {"case.accepted": "<template id>"}; missing = not sent."""
    notification_max_attempts: int = 8
    """Delivery attempts (with back-off) before a notification is marked failed for an admin to retry."""
    notification_retry_base_seconds: float = 30.0
    """First back-off before a notification is sent again; it doubles with each attempt (with jitter), up to 30 min."""
    notification_lease_seconds: int = Field(60, ge=10)
    """How long a worker holds a notification it is sending: after that, a worker that died mid-send (kill -9) is
    taken over and the notification goes again. Longer than a provider call may take (its timeout is 10 s)."""
    bot_kept_messages_minutes: float = Field(1.0, gt=0)
    """How often messages kept while the bot was down are answered once it is back (the drills shorten it)."""

    # ---- backups (core/backup) and observability (core/observability, tongban/metrics.py)
    backup_dir: Path | None = None
    """Where ``tongban backup`` and the nightly job write backups (default ``<data_dir>/backups``); in production
    a different disk (or a mount of another machine) than the database and ``data_dir``."""
    backup_keep: int = Field(14, ge=1)
    """How many backups the nightly job keeps (the oldest are deleted after a new one is complete)."""
    backup_nightly: bool = True
    """Take a backup every night (the periodic job ``backup``: the embedded scheduler or Celery beat)."""
    backup_hour: int = Field(2, ge=0, le=23)
    """The hour (local time) from which the nightly backup is taken."""
    log_format: str = "text"
    """``text`` (for people) or ``json`` (one JSON object a line, with the request id, for a log collector)."""
    log_level: str = "INFO"
    request_id_sources: Annotated[tuple[str, ...], NoDecode] = ()
    """Addresses or networks besides ``trusted_proxies`` whose ``X-Request-ID`` is taken (the bot's action
    servers calling back); from anyone else a new id is generated."""
    metrics_addresses: Annotated[tuple[str, ...], NoDecode] = ("127.0.0.1", "::1")
    """Addresses or networks allowed to read ``/metrics`` (the Prometheus server); the caller's address is
    worked out through ``trusted_proxies`` as for rate limits."""
    metrics_token: SecretStr = SecretStr("")
    """A bearer token that also opens ``/metrics`` from anywhere (empty: addresses only)."""

    # ---- data exchange with the city and provincial platforms (core/exchange, channels/exchange)
    exchange_counterparts: dict[str, CounterpartSettings] = {}
    """Connected counterparts by code (gov_service, investment, four_certs, smart_city, city_brain, outdoor_ads,
    data_center), as JSON in ``TONGBAN_EXCHANGE_COUNTERPARTS``; a counterpart not listed (or without a base URL)
    gets nothing."""
    exchange_max_attempts: int = 10
    """Delivery attempts (with back-off) before an exchange record is marked failed for an admin to resend."""
    exchange_retry_base_seconds: float = 30.0
    """First back-off before a record is sent again; it doubles with each attempt (with jitter), up to 30 min."""
    exchange_batch_hour: int = Field(1, ge=0, le=23)
    """The nightly batch (records the real-time path missed, reconciliation of yesterday) runs from this hour."""
    exchange_signature_window_seconds: int = 300
    """A signed request older or newer than this is refused (replay protection, with the nonce)."""

    @field_validator("trusted_proxies", "request_id_sources", "metrics_addresses", mode="before")
    @classmethod
    def _proxy_list(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        if isinstance(value, (list, tuple)):
            for part in value:
                try:
                    ipaddress.ip_network(str(part), strict=False)
                except ValueError as exc:
                    raise ValueError(f"TONGBAN_{str(info.field_name).upper()}: “{part}”不是 IP 地址或网段") from exc
        return value

    @property
    def secure_cookies(self) -> bool:
        """True when cookies must carry ``Secure``: configured so, or the site is served over https."""
        return self.cookie_secure or self.base_url.lower().startswith("https://")

    def site_url(self, path: str) -> str:
        """An absolute link to a page of the platform (for letters, notifications, chat cards)."""
        return f"{self.base_url.rstrip('/')}{path}"

    @property
    def backup_folder(self) -> Path:
        """Where backups are written."""
        return self.backup_dir or self.data_dir / "backups"

    @property
    def upload_dir(self) -> Path:
        """Where uploaded materials are kept on local disk."""
        return self.data_dir / "uploads"


@lru_cache
def get_settings() -> Settings:
    """Returns the process-wide settings, read once."""
    return Settings()
