"""The bot's fast tests check their fake /api/v1 against files written from this app (tongban/bot_contract.py):
the OpenAPI document and answers captured from the real endpoints. A change to the API's shapes, questions or
messages fails here until `tongban bot-contract` rewrites them, and then fails the bot's tests wherever its
fake or its actions no longer fit."""

import json

from tongban import bot_contract

REGENERATE = (
    "已过期：运行 `tongban bot-contract` 重新生成，再运行机器人的测试（bot/.venv/bin/python -m pytest bot/tests）"
)


def test_openapi_file_is_current() -> None:
    written = bot_contract.OPENAPI_FILE.read_text(encoding="utf-8")
    assert written == bot_contract.dump(bot_contract.openapi_document()), f"{bot_contract.OPENAPI_FILE} {REGENERATE}"


def test_fixtures_are_current() -> None:
    captured = bot_contract.captured()  # on a fresh SQLite database of its own: ids and case numbers are answers
    written = json.loads(bot_contract.FIXTURES_FILE.read_text(encoding="utf-8"))
    assert written == json.loads(bot_contract.dump(captured)), f"{bot_contract.FIXTURES_FILE} {REGENERATE}"


def test_every_api_error_is_declared_in_the_openapi() -> None:
    """Clients (and the bot's fake) learn the error shape from the document: every /api/v1 operation declares it."""
    document = bot_contract.openapi_document()
    missing = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in operations.items()
        if operation.get("responses", {}).get("4XX", {}).get("content", {}).get("application/json", {}).get("schema")
        != {"$ref": "#/components/schemas/ErrorOut"}
    ]
    assert not missing
