"""Messages of a conversation as JSON for the polling clients (web chat, REST)."""

from typing import Any

from channels.models import ConversationMessage


def message_json(message: ConversationMessage) -> dict[str, Any]:
    """One message for a client: who wrote it, its text, buttons, links and files."""
    payload = message.payload or {}
    raw = payload.get("raw")
    client_id = raw.get("client_id", "") if isinstance(raw, dict) and message.direction == "in" else ""
    return {
        "id": message.id,
        "direction": message.direction,
        "author": message.author,
        "text": message.text,
        "buttons": payload.get("buttons", []),
        "links": payload.get("links", []),
        "files": payload.get("files", []),
        "client_id": client_id,
        "created_at": message.created_at.isoformat(timespec="seconds"),
    }
