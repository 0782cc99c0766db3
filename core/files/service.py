"""Checks uploads (type by extension *and* content, size) and stores them on local disk."""

import hashlib
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from core.errors import ValidationFailed
from core.files.models import StoredFile
from core.settings import get_settings

# Leading bytes of each accepted type; an upload whose content does not match its extension is refused.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "ofd": (b"PK\x03\x04",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
}
_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "ofd": "application/ofd",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
}


def check_upload(filename: str, content: bytes) -> str:
    """Returns the normalised extension, or raises a Chinese error a person can act on."""
    settings = get_settings()
    name = filename or "未命名文件"
    extension = Path(name).suffix.lower().lstrip(".")
    allowed = [e for e in settings.upload_types if e in _SIGNATURES]
    if extension not in allowed:
        raise ValidationFailed(
            f"文件“{name}”的类型不支持，请上传以下格式之一：{'、'.join(allowed)}", code="upload_type"
        )
    if not content:
        raise ValidationFailed(f"文件“{name}”是空文件，请重新选择", code="upload_empty")
    if len(content) > settings.upload_max_bytes:
        limit_mb = settings.upload_max_bytes // (1024 * 1024)
        raise ValidationFailed(f"文件“{name}”超过 {limit_mb} MB 的大小上限，请压缩后再上传", code="upload_size")
    if not content.startswith(_SIGNATURES[extension]):
        raise ValidationFailed(
            f"文件“{name}”的内容与扩展名 .{extension} 不符，请上传真实的 {extension} 文件", code="upload_type"
        )
    return extension


def store(db: Session, *, filename: str, content: bytes, uploaded_by_id: int | None) -> StoredFile:
    """Checks and stores an upload; the caller's transaction records its metadata."""
    extension = check_upload(filename, content)
    return _store(db, filename, extension, _CONTENT_TYPES[extension], content, uploaded_by_id)


def store_generated(
    db: Session, *, filename: str, content: bytes, content_type: str, uploaded_by_id: int | None
) -> StoredFile:
    """Stores a document the platform made itself (no upload checks: its type is the platform's choice)."""
    extension = Path(filename).suffix.lower().lstrip(".")
    return _store(db, filename, extension, content_type, content, uploaded_by_id)


def _store(
    db: Session, filename: str, extension: str, content_type: str, content: bytes, uploaded_by_id: int | None
) -> StoredFile:
    key = f"{uuid.uuid4().hex}.{extension}"
    path = get_settings().upload_dir / key[:2] / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    db.info.setdefault(_WRITTEN, []).append(path)
    stored = StoredFile(
        storage_key=key,
        original_name=Path(filename).name[:255],
        extension=extension,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by_id=uploaded_by_id,
    )
    db.add(stored)
    return stored


# The bytes are written at once, the metadata row only when the caller's transaction commits. A transaction that
# ends any other way (a refused application, an error, a retry after a deadlock) takes its files with it, so that
# nothing is left on disk that no row points to.
_WRITTEN = "core.files.written"


_DISCARDED = "core.files.discarded"


def discard(db: Session, stored: StoredFile) -> None:
    """Deletes a stored file: its row in the caller's transaction, its bytes once that transaction commits (a
    rollback keeps both)."""
    key = stored.storage_key
    db.info.setdefault(_DISCARDED, []).append(get_settings().upload_dir / key[:2] / key)
    db.delete(stored)


@event.listens_for(Session, "after_commit")
def _keep_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    for path in session.info.pop(_DISCARDED, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return  # a savepoint: its files go or stay with the transaction around it
    session.info.pop(_DISCARDED, None)  # rolled back: the rows are still there, so are the bytes
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)


@dataclass(frozen=True)
class FileContent:
    """A file ready to send: the name it is shown under, its type and its bytes."""

    filename: str
    content_type: str
    content: bytes


def opened(stored: StoredFile) -> FileContent:
    """A stored file's bytes with its original name and type, ready to send."""
    return FileContent(stored.original_name, stored.content_type, read(stored))


def read(stored: StoredFile) -> bytes:
    """Returns the bytes of a stored file."""
    key = stored.storage_key
    return (get_settings().upload_dir / key[:2] / key).read_bytes()


def derived(stored: StoredFile, suffix: str, make: Callable[[bytes], bytes]) -> bytes:
    """What ``make`` (a pure function: the same bytes give the same result) makes of a stored file's bytes, made
    once and kept beside the stored files, named by the source's SHA-256 and ``suffix`` (one per kind of
    derivation, e.g. ``letter.pdf``); later calls read it back. Written atomically: two first calls at once both
    make it, and either result is whole."""
    path = get_settings().upload_dir / "derived" / f"{stored.sha256}.{suffix}"
    if path.exists():
        return path.read_bytes()
    content = make(read(stored))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{uuid.uuid4().hex}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)
    return content
