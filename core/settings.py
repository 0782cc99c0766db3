"""One settings class for the whole platform; every value can be set as an environment variable
prefixed ``TONGBAN_`` (for example ``TONGBAN_DATABASE_URL``) or in a ``.env`` file."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Platform settings. Secrets come only from here, never from code."""

    model_config = SettingsConfigDict(env_prefix="TONGBAN_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///var/tongban.db"
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
    progress_query_rate: str = "10/minute"
    progress_case_rate: str = "20/hour"
    """Failed progress queries allowed per case number (guessing one case's password from many addresses)."""
    login_rate: str = "10/minute"
    session_max_age_seconds: int = 8 * 3600
    token_ttl_hours: int = 12
    cookie_secure: bool = False
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
