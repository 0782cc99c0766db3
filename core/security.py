"""Passwords, field encryption at rest, keyed hashes and masking.

- Passwords: argon2id (argon2-cffi).
- ID numbers and phone numbers: Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from
  ``TONGBAN_SECRET_KEY``; a keyed HMAC "blind index" beside them allows exact look-ups.
- Query passwords are short, so their strength comes from rate limiting; they are stored as a keyed HMAC,
  which an attacker holding only the database cannot brute-force.
"""

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

from core.settings import get_settings


@lru_cache
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def password_hasher() -> PasswordHasher:
    """The argon2id hasher with the configured cost."""
    settings = get_settings()
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_cost_kib, settings.argon2_parallelism)


def hash_password(password: str) -> str:
    """Returns an argon2id hash of the password."""
    return password_hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored argon2 hash."""
    try:
        return password_hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _derive(purpose: bytes) -> bytes:
    secret = get_settings().secret_key.get_secret_value().encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tongban", info=purpose).derive(secret)


@lru_cache
def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"field-encryption")))


@lru_cache
def _index_key() -> bytes:
    return _derive(b"blind-index")


def encrypt(value: str) -> str:
    """Encrypts a sensitive value for storage."""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypts a stored value; raises ValueError when the key does not fit."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("无法解密：密钥不匹配") from exc


def keyed_hash(value: str) -> str:
    """A keyed, deterministic hash for look-ups of encrypted values and for query passwords."""
    return hmac.new(_index_key(), value.encode(), hashlib.sha256).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    """Compares two secrets without leaking their difference through timing."""
    return hmac.compare_digest(a.encode(), b.encode())


def new_token(nbytes: int = 32) -> str:
    """A random URL-safe token (API tokens, CSRF tokens)."""
    return secrets.token_urlsafe(nbytes)


def new_query_code() -> str:
    """A random 6-digit query password (查询密码) for a case."""
    return f"{secrets.randbelow(10**6):06d}"


class EncryptedString(TypeDecorator[str]):
    """A string column stored encrypted; the database never sees the clear text."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else decrypt(value)


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧**娜; enterprise names keep their head and tail."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*"
    if len(name) <= 4:
        return name[0] + "*" * (len(name) - 2) + name[-1]
    return name[:2] + "*" * (len(name) - 4) + name[-2:]


def mask_id_number(value: str) -> str:
    """320583199001011234 → 3205**********1234."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_address(address: str) -> str:
    """绿地大道721号 → 绿地大道****: the area stays recognisable, the house number does not."""
    if not address:
        return ""
    return address[: min(6, len(address) // 2)] + "****"


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
