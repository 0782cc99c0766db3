"""One settings class for the whole platform; every value can be set as an environment variable
prefixed ``TONGBAN_`` (for example ``TONGBAN_DATABASE_URL``) or in a ``.env`` file."""

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


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

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        if isinstance(value, (list, tuple)):
            for part in value:
                try:
                    ipaddress.ip_network(str(part), strict=False)
                except ValueError as exc:
                    raise ValueError(f"TONGBAN_TRUSTED_PROXIES: “{part}”不是 IP 地址或网段") from exc
        return value

    @property
    def secure_cookies(self) -> bool:
        """True when cookies must carry ``Secure``: configured so, or the site is served over https."""
        return self.cookie_secure or self.base_url.lower().startswith("https://")

    def site_url(self, path: str) -> str:
        """An absolute link to a page of the platform (for letters, notifications, chat cards)."""
        return f"{self.base_url.rstrip('/')}{path}"

    @property
    def upload_dir(self) -> Path:
        """Where uploaded materials are kept on local disk."""
        return self.data_dir / "uploads"


@lru_cache
def get_settings() -> Settings:
    """Returns the process-wide settings, read once."""
    return Settings()
