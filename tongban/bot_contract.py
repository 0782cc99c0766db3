"""What the bot's fast tests know about /api/v1, written from the app itself (the bot never imports app code).

- ``bot/tests/openapi.json``: the OpenAPI document of the app. The bot's fake API validates every answer it
  gives (and every request the actions send) against it, so a changed shape breaks the fake at once.
- ``bot/tests/api_fixtures.json``: answers captured from the real endpoints on a scratch database: the question
  catalogue (labels, options, units), which questions apply for every combination of the answers that decide
  it, how answers are displayed, the answers and project facts the API refuses and with what message, the
  error messages of the case queries, and the sample centre of tongban/bot_samples.py (guides, search results,
  case progress, ratings, a derived flow and its letter). The fake serves these instead of re-implementing the
  core's rules or making up answers of its own.

``tongban bot-contract`` rewrites both; ``tests/test_bot_contract.py`` fails while either is stale.
"""

import itertools
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
OPENAPI_FILE = ROOT / "bot" / "tests" / "openapi.json"
FIXTURES_FILE = ROOT / "bot" / "tests" / "api_fixtures.json"

CHANNEL_USER = "wechat:oBotContract0001"
"""The channel user the captured calls speak for (the bot always sends one)."""

CONTEXTS: dict[str, dict[str, Any]] = {
    "factory": {"investor": "enterprise", "project_type": "industrial", "new_land": True},
    "renovation": {"investor": "enterprise", "project_type": "renovation"},
    "energy_review": {
        "investor": "enterprise",
        "project_type": "industrial",
        "new_land": True,
        "energy_tce": 3000,
        "coal_tonnes": 0,
    },
}
"""Answers under which each question's display and checks are captured (the first one in which it applies); the
last one opens the follow-up that the energy figures decide (not a gating answer, so not in the combinations)."""

NUMBER_SAMPLES = (0, 800, 20_000, 30_000, 3_000_000, 50_000_000, 80_000_000, 120_000_000)
"""Numbers the bot's tests send (after its own parsing): each number question's display or refusal of each."""

FACT_SAMPLES: dict[str, tuple[str, ...]] = {
    "credit_code": ("91320583MA1X2Y3B4", "91320583MA1X2Y3B4A", "12345"),  # first: its check digit is added below
    "contact_phone": ("13812345678", "13700001234", "12345"),
}
"""Project facts with checks: whether the API accepts each, and its message when it does not."""

CASE_ERRORS: dict[str, tuple[str, str, dict[str, Any] | None, bool]] = {
    "wrong_case_or_code": ("POST", "/progress", {"case_no": "KF209912310001", "query_code": "385920"}, False),
    "progress_needs_code": ("POST", "/progress", {"case_no": "KF209912310001"}, False),
    "progress_not_bound": ("POST", "/progress", {"case_no": "KF209912310001"}, True),
    "my_cases_needs_channel_user": ("GET", "/my/cases", None, False),
    "project_not_found": ("GET", "/projects/999999", None, True),
    "item_not_found": ("GET", "/items/999999", None, False),
}
"""Errors the bot shows as they come: (method, path, body, with the channel user)."""


def openapi_document() -> dict[str, Any]:
    """The app's OpenAPI document."""
    from tongban.asgi import create_app

    return create_app().openapi()


def dump(data: Any) -> str:
    """The checked-in form: readable Chinese, one trailing newline."""
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"  # the API's own order (options are listed in it)


class _Api:
    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.token = token

    def call(self, method: str, path: str, body: Any = None, channel_user: bool = True) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if channel_user:
            headers["X-Channel-User"] = CHANNEL_USER
        response = self.client.request(method, "/api/v1" + path, json=body, headers=headers)
        return response.status_code, response.json()

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, data = self.call(method, path, body)
        if status >= 400:
            raise RuntimeError(f"{method} {path} {body}: {status} {data}")
        return data

    def project(self, answers: dict[str, Any]) -> tuple[int, Any]:
        return self.call("POST", "/projects", {"name": "接口样例项目", "indicators": answers})


def capture(client: TestClient, token: str) -> dict[str, Any]:
    """Calls the real endpoints as the bot does (service token, channel user) and keeps their answers; the
    sample centre is seeded in the app's database (a fresh one: ids and case numbers are part of the answers)."""
    from core import clock
    from core.db import get_sessionmaker
    from tongban.bot_samples import MOMENTS, capture_samples

    clock.freeze(MOMENTS["asked"])
    try:
        captured = _capture_questions(_Api(client, token))
        with get_sessionmaker()() as db:
            captured |= capture_samples(_Api(client, token), db)
    finally:
        clock.freeze(None)
    return captured


def _capture_questions(api: "_Api") -> dict[str, Any]:
    from core.validators import credit_code_check_char

    questions: list[dict[str, Any]] = api.ok("GET", "/projects/questions")
    gating = [q for q in questions if q["gating"]]

    def values_of(question: dict[str, Any]) -> list[Any]:
        if question["kind"] == "choice":
            return list(question["options"])
        if question["kind"] == "yes_no":
            return [True, False]
        return list(NUMBER_SAMPLES)

    applicability = []
    for combo in itertools.product(*[[None, *values_of(q)] for q in gating]):
        answers = {q["key"]: v for q, v in zip(gating, combo, strict=True) if v is not None}
        status, project = api.project(answers)
        if status >= 400:
            continue  # a contradiction (装修改造 + 新增用地): no project has these answers
        state = api.ok("GET", f"/projects/{project['id']}/questions")
        applicability.append(
            {
                "answers": answers,
                "applicable": [q["key"] for q in state["applicable"]],
                "unanswered": state["unanswered"],
            }
        )

    def applicable_in(context: dict[str, Any]) -> list[str]:
        captured = next((a for a in applicability if a["answers"] == context), None)
        if captured is not None:
            return list(captured["applicable"])
        _, project = api.project(context)
        return [q["key"] for q in api.ok("GET", f"/projects/{project['id']}/questions")["applicable"]]

    displays: dict[str, list[list[Any]]] = {}
    checks: list[dict[str, Any]] = []
    for question in questions:
        key = question["key"]
        context = next(c for c in CONTEXTS.values() if key in c or key in applicable_in(c))
        # each answer on a project without answers, and where the question applies (checks may depend on both)
        for base in ({}, {k: v for k, v in context.items() if k != key}):
            for value in values_of(question):
                project = api.ok("POST", "/projects", {"name": "接口样例项目", "indicators": base})
                patch = {"indicators": {key: value}}
                status, answer = api.call("PATCH", f"/projects/{project['id']}", patch)
                checks.append(
                    {"answers": base, "patch": patch, "status": status, "body": answer if status >= 400 else None}
                )
                if status >= 400 or any(v == value for v, _ in displays.get(key, [])):
                    continue
                state = api.ok("GET", f"/projects/{project['id']}/questions")
                shown = next((q["answer_display"] for q in state["applicable"] if q["key"] == key), None)
                if shown is not None:
                    displays.setdefault(key, []).append([value, shown])

    fresh = api.ok("POST", "/projects", {"name": "接口样例项目", "indicators": {}})
    fresh_state = api.ok("GET", f"/projects/{fresh['id']}/questions")
    accepted: dict[str, list[str]] = {}
    fact_shown: dict[str, list[list[str]]] = {}
    for field, samples in FACT_SAMPLES.items():
        for sample in samples:
            value = sample + credit_code_check_char(sample) if len(sample) == 17 else sample
            fact = {field: value}
            status, answer = api.call("PATCH", f"/projects/{fresh['id']}", fact)
            checks.append({"answers": {}, "patch": fact, "status": status, "body": answer if status >= 400 else None})
            if status < 400:
                accepted.setdefault(field, []).append(value)  # as sent
                fact_shown.setdefault(field, []).append([value, answer[field]])  # as the answer shows it (masked)

    errors: dict[str, dict[str, Any]] = {}
    for name, (method, path, body, with_user) in CASE_ERRORS.items():
        status, answer = api.call(method, path, body, channel_user=with_user)
        if status < 400:
            raise RuntimeError(f"{name}: expected an error, got {status} {answer}")
        errors[name] = {"status": status, "body": answer}

    return {
        "about": "Captured from the real /api/v1 by `tongban bot-contract` (tongban/bot_contract.py); do not edit.",
        "channel_user": CHANNEL_USER,
        "questions": questions,
        "applicability": applicability,
        "missing_project_info": fresh_state["missing_project_info"],
        "project_info_labels": fresh_state["project_info_labels"],
        "displays": displays,
        "checks": checks,
        "accepted_facts": accepted,
        "fact_displays": fact_shown,
        "errors": errors,
    }


def bot_token(db: Any) -> str:
    """A token of the bot's service account (created with its role when missing)."""
    from core.org import service as org_service
    from core.seed.demo import ensure_bot_user, ensure_roles

    ensure_roles(db)
    token = org_service.issue_token(db=db, user=ensure_bot_user(db), name="bot-contract", ttl_hours=1)
    db.commit()
    return token


@contextmanager
def scratch_database() -> Iterator[None]:
    """A migrated SQLite database in a temporary directory for the duration (the configured one is untouched)."""
    from core import db as core_db
    from core import settings as core_settings
    from core.migrate import upgrade

    keys = ("TONGBAN_DATABASE_URL", "TONGBAN_DATA_DIR", "TONGBAN_SCHEDULER_ENABLED", "TONGBAN_REDIS_URL")
    saved = {k: os.environ.get(k) for k in keys}

    def reset() -> None:
        core_settings.get_settings.cache_clear()
        core_db.get_engine.cache_clear()
        core_db.get_sessionmaker.cache_clear()

    with tempfile.TemporaryDirectory(prefix="tongban-bot-contract-") as work:
        os.environ |= {
            "TONGBAN_DATABASE_URL": f"sqlite:///{work}/contract.db",
            "TONGBAN_DATA_DIR": work,
            "TONGBAN_SCHEDULER_ENABLED": "false",
            "TONGBAN_REDIS_URL": "",
        }
        reset()
        try:
            upgrade()
            yield
        finally:
            core_db.get_engine().dispose()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            reset()


def captured() -> dict[str, Any]:
    """The answers of the real endpoints, captured on a scratch database (the configured one is untouched)."""
    from core.db import get_sessionmaker
    from tongban.asgi import create_app

    with scratch_database():
        with get_sessionmaker()() as db:
            token = bot_token(db)
        with TestClient(create_app()) as client:
            return capture(client, token)


def write(openapi_path: Path = OPENAPI_FILE, fixtures_path: Path = FIXTURES_FILE) -> None:
    """Rewrites both files from the app (the fixtures on a scratch database)."""
    openapi_path.write_text(dump(openapi_document()), encoding="utf-8")
    fixtures_path.write_text(dump(captured()), encoding="utf-8")
