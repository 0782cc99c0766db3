"""A small stand-in for the app's /api/v1 on 127.0.0.1, for the action tests.

It keeps no rules of the core and makes up no answers: the questions, which of them apply, how answers are
displayed, which answers and project facts are refused and with what message, the case queries' error messages,
and the sample centre's guides, search results, case progress, ratings, derived flow and letter, and the sample
filers' projects with their approval nodes are answers captured from the real API (api_fixtures.json, written by
`tongban bot-contract`; the samples are tongban/bot_samples.py and tongban/bot_project_samples.py). What the fake
keeps itself is state: which projects exist with which answers, which cases a channel user bound, which were rated,
and the passwords its test cases type. Every request the actions send and every answer the fake gives is checked
against the app's OpenAPI (openapi.json, see contract.py); a mismatch, an unknown path or something the captured
answers do not cover is recorded in ``problems`` and fails the test.
Every request is recorded for assertions.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlparse

from contract import contract, fixtures

TOKEN = "test-bot-token"
BOUND_USER = "wechat:oyORnuBound01"

# Everything the core decides comes from the real API (api_fixtures.json, `tongban bot-contract`): the questions
# with their labels and options, which apply, how answers are displayed, what is refused and with what message.
CAPTURED = fixtures()
QUESTIONS: List[Dict[str, Any]] = CAPTURED["questions"]
BY_KEY = {q["key"]: q for q in QUESTIONS}
GATING = [q["key"] for q in QUESTIONS if q["gating"]]
FACTS: Dict[str, str] = CAPTURED["project_info_labels"]
ERRORS: Dict[str, Dict[str, Any]] = CAPTURED["errors"]
WRONG_CREDENTIALS = ERRORS["wrong_case_or_code"]["body"]["error"]["message"]
VALID_CREDIT_CODE = CAPTURED["accepted_facts"]["credit_code"][0]


def shown(key: str, value: Any) -> Optional[str]:
    """The API's display of an answer, when it was captured."""
    return next((text for v, text in CAPTURED["displays"].get(key, []) if _same(v, value)), None)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _gating(values: Dict[str, Any]) -> Dict[str, Any]:
    return {k: values[k] for k in GATING if values.get(k) is not None}


class Captured(Exception):
    """An error answer exactly as the real API gave it."""

    def __init__(self, answer: Dict[str, Any]):
        super().__init__(answer["body"]["error"]["message"])
        self.status, self.body = answer["status"], answer["body"]


class NotCaptured(Exception):
    """The fake was asked something the captured answers do not cover: extend tongban/bot_contract.py."""


# The sample centre's answers (tongban/bot_samples.py): its guides, search results, cases and the flow it derives.
GUIDES: Dict[int, Dict[str, Any]] = {int(k): v for k, v in CAPTURED["guides"].items()}
TEMPLATES: Dict[int, List[Dict[str, Any]]] = {int(k): v for k, v in CAPTURED.get("templates", {}).items()}
"""The current blank forms and samples of the sample centre's items (GET /items/{id}/templates)."""
ITEM_SEARCHES: Dict[str, List[Dict[str, Any]]] = CAPTURED["item_searches"]
SEARCHES: Dict[str, Dict[str, Any]] = CAPTURED["searches"]
SEARCH_PARAMS = {"kind": "all", "limit": "3", "channel": "bot"}
"""How the captured searches were asked (as the bot asks)."""
OPENING_SEARCHES: Dict[str, Dict[str, Any]] = CAPTURED.get("opening_searches", {})
OPENING_PARAMS = {"kind": "item", "limit": "5", "channel": "bot"}
"""Business-opening questions asked of the items alone (OPENING_QUERIES in tongban/bot_samples.py)."""
IN_PROGRESS: str = CAPTURED["cases"]["in_progress"]
CONCLUDED: str = CAPTURED["cases"]["concluded"]
CODES = {IN_PROGRESS: "385920", CONCLUDED: "604213"}
"""The query passwords the tests type (a password is never part of an answer, so these are the fake's own)."""
PROGRESS: Dict[str, Dict[str, Any]] = CAPTURED["progress"]
MY_CASE_ROWS: Dict[str, Dict[str, Any]] = CAPTURED["my_case_rows"]
RATINGS: Dict[str, Dict[str, Any]] = CAPTURED["ratings"]
RATING_ERRORS: Dict[str, Dict[str, Any]] = CAPTURED["rating_errors"]
PROJECT_ANSWERS: Dict[str, Dict[str, Any]] = CAPTURED["project_answers"]
DERIVATION: Dict[str, Any] = CAPTURED["derivation"]
LETTERS: List[Dict[str, Any]] = CAPTURED["letters"]
MY_PROJECTS: Dict[str, Dict[str, Any]] = CAPTURED["my_projects"]
"""我的项目 of the sample filers (tongban/bot_project_samples.py): ``one``, ``several`` and ``none``, each with the
channel user it was captured for and the real answer."""
FILERS: Dict[str, str] = {name: sample["channel_user"] for name, sample in MY_PROJECTS.items()}


class FakeApi:
    """State and routing of the fake API; ``requests`` records (method, path, headers, body)."""

    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        self.projects: Dict[int, Dict[str, Any]] = {}
        self.next_project_id = 101
        self.bindings: Dict[str, set] = {BOUND_USER: {IN_PROGRESS}}
        self.rated: set = set()
        self.down = False  # answers 503 to everything when set
        self.problems: List[str] = []  # requests and answers that do not fit the real API (tests fail on any)
        self.cases = {no: {"code": CODES[no], "progress": PROGRESS[no]} for no in (IN_PROGRESS, CONCLUDED)}

    # --- routing ----------------------------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: Dict[str, str], headers: Dict[str, str], body: Any
    ) -> Tuple[int, Any]:
        """Answers a request; the request and the answer are checked against the app's OpenAPI."""
        self.requests.append({"method": method, "path": path, "query": query, "headers": headers, "body": body})
        if self.down:  # the API unreachable (a proxy's answer, not the app's): nothing to check
            return 503, {"error": {"code": "unavailable", "message": "服务维护中"}}
        self.problems += contract().check_request(method, path, body)
        try:
            status, payload = self._route(method, path, query, headers, body)
        except NotCaptured as missing:
            self.problems.append(f"{method} {path}: {missing}")
            status, payload = 500, {"error": {"code": "not_captured", "message": str(missing)}}
            return status, payload
        self.problems += contract().check_response(method, path, status, payload)
        return status, payload

    def _route(
        self, method: str, path: str, query: Dict[str, str], headers: Dict[str, str], body: Any
    ) -> Tuple[int, Any]:
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return 401, {"error": {"code": "not_authenticated", "message": "请先登录"}}
        user = headers.get("x-channel-user")
        if user and not re.fullmatch(r"(wechat|webchat|wecom|rest):[A-Za-z0-9_@.\-]{1,80}", user):
            return 422, {"error": {"code": "invalid", "message": "渠道用户标识格式不正确", "field": "X-Channel-User"}}
        routes = [
            ("GET", r"/api/v1/knowledge/search", self.search),
            ("GET", r"/api/v1/knowledge/centre", self.centre),
            ("GET", r"/api/v1/items", self.items),
            ("GET", r"/api/v1/items/(\d+)", self.guide),
            ("GET", r"/api/v1/items/(\d+)/templates", self.templates),
            ("POST", r"/api/v1/progress", self.progress),
            ("GET", r"/api/v1/my/cases", self.my_cases),
            ("POST", r"/api/v1/my/bindings", self.bind),
            ("POST", r"/api/v1/ratings", self.rate),
            ("GET", r"/api/v1/projects/questions", self.all_questions),
            ("POST", r"/api/v1/projects", self.create_project),
            ("GET", r"/api/v1/projects/(\d+)", self.get_project),
            ("PATCH", r"/api/v1/projects/(\d+)", self.update_project),
            ("GET", r"/api/v1/projects/(\d+)/questions", self.project_questions),
            ("POST", r"/api/v1/projects/(\d+)/derive", self.derive),
            ("GET", r"/api/v1/projects/(\d+)/letters", self.letters),
            ("GET", r"/api/v1/my/projects", self.my_projects),
        ]
        for verb, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                try:
                    return handler(*match.groups(), query=query, body=body, user=user)
                except Captured as captured:
                    return captured.status, captured.body
        self.problems.append(f"{method} {path}: the fake does not serve it")
        return 404, {"error": {"code": "http_404", "message": "请求的地址不存在"}}

    # --- knowledge and guides ---------------------------------------------------------------------------------

    def search(self, query, body, user):
        q = query.get("q", "")
        asked = {k: v for k, v in query.items() if k != "q"}
        if asked == OPENING_PARAMS and q in OPENING_SEARCHES:
            return 200, OPENING_SEARCHES[q]
        if q not in SEARCHES or asked != SEARCH_PARAMS:
            raise NotCaptured(f"the search for {q!r} ({asked}) was not captured (SEARCH_QUERIES in tongban/bot_samples.py)")
        return 200, SEARCHES[q]

    def centre(self, query, body, user):
        return 200, CAPTURED["centre"]

    def items(self, query, body, user):
        q = query.get("q", "")
        if q not in ITEM_SEARCHES:
            raise NotCaptured(f"the catalogue search for {q!r} was not captured (ITEM_QUERIES in tongban/bot_samples.py)")
        return 200, ITEM_SEARCHES[q]

    def guide(self, item_id, query, body, user):
        if int(item_id) not in GUIDES:
            raise Captured(ERRORS["item_not_found"])
        return 200, GUIDES[int(item_id)]

    def templates(self, item_id, query, body, user):
        if int(item_id) not in TEMPLATES:
            raise NotCaptured(f"the templates of item {item_id} were not captured (tongban/bot_samples.py)")
        return 200, TEMPLATES[int(item_id)]

    # --- cases ------------------------------------------------------------------------------------------------

    def _case(self, case_no: str, code: str, user: Optional[str]) -> Dict[str, Any]:
        case_no = (case_no or "").strip().upper()
        case = self.cases.get(case_no)
        if not code:
            if user and case and case_no in self.bindings.get(user, set()):
                return case
            if user:
                raise Captured(ERRORS["progress_not_bound"])
            raise Captured(ERRORS["progress_needs_code"])
        if case is None or case["code"] != code:
            raise Captured(ERRORS["wrong_case_or_code"])
        return case

    def progress(self, query, body, user):
        return 200, self._case(body.get("case_no"), body.get("query_code", ""), user)["progress"]

    def _my(self, user):
        rows = []
        for no in sorted(self.bindings.get(user, set())):
            if no not in MY_CASE_ROWS:
                raise NotCaptured(f"{no} as 我的办件 lists it was not captured")
            rows.append(MY_CASE_ROWS[no])
        return rows

    def my_cases(self, query, body, user):
        if not user:
            raise Captured(ERRORS["my_cases_needs_channel_user"])
        return 200, self._my(user)

    def bind(self, query, body, user):
        if not user:
            raise Captured(ERRORS["my_cases_needs_channel_user"])
        case = self._case(body.get("case_no"), body.get("query_code", ""), None)
        self.bindings.setdefault(user, set()).add(case["progress"]["case_no"])
        return 201, self._my(user)

    def rate(self, query, body, user):
        case = self._case(body.get("case_no"), body.get("query_code", ""), user)
        progress = case["progress"]
        if progress["status"] != "concluded":
            raise Captured(RATING_ERRORS["not_concluded"])
        if progress["case_no"] in self.rated:
            raise Captured(RATING_ERRORS["already_rated"])
        self.rated.add(progress["case_no"])
        # the real answer for this level, about the case rated here
        return 201, {**RATINGS[str(int(body["level"]))], "case_no": progress["case_no"]}

    # --- projects ---------------------------------------------------------------------------------------------

    def _question_out(self, key, values):
        out = dict(BY_KEY[key])
        answer = values.get(key)
        out["answer"] = answer
        out["answer_display"] = "" if answer is None else self._display(key, answer)
        return out

    def _display(self, key, value):
        text = shown(key, value)
        if text is None:
            raise NotCaptured(f"no display of {key}={value!r} was captured (NUMBER_SAMPLES in tongban/bot_contract.py)")
        return text

    def all_questions(self, query, body, user):
        return 200, [dict(q) for q in QUESTIONS]

    def _project(self, project_id):
        project = self.projects.get(int(project_id))
        if project is None:
            raise Captured(ERRORS["project_not_found"])
        return project

    def _out(self, project):
        """The project as the real API shows one in its state (captured), with this project's own facts."""
        out = dict(PROJECT_ANSWERS["derived" if project.get("derived") else "created"])
        out.update(id=project["id"], name=project["name"], indicators=dict(project["indicators"]))
        for field in FACTS:
            if field != "name":
                out[field] = self._fact_shown(field, project.get(field, ""))
        return out

    def _fact_shown(self, field, value):
        if not value:
            return ""
        displays = CAPTURED["fact_displays"].get(field)
        if displays is None:  # a fact the API shows as given
            return value
        text = next((t for v, t in displays if v == value), None)
        if text is None:
            raise NotCaptured(f"how the API shows {field}={value!r} was not captured (FACT_SAMPLES)")
        return text

    def create_project(self, query, body, user):
        name = (body.get("name") or "").strip()
        project = {"id": self.next_project_id, "name": name, "indicators": {}, "channel_user": user}
        self.next_project_id += 1
        self.projects[project["id"]] = project
        return 201, self._out(project)

    def get_project(self, project_id, query, body, user):
        return 200, self._out(self._project(project_id))

    def _checked(self, patch, gating):
        """The real API's answer to this change, captured under the most specific deciding answers that the
        project has (a check may depend on them: 工业项目的总建筑面积不能为 0)."""
        fits = [
            c
            for c in CAPTURED["checks"]
            if c["patch"] == patch and all(gating.get(k) == v for k, v in _gating(c["answers"]).items())
        ]
        if not fits:
            raise NotCaptured(f"the API's answer to {patch} was not captured (samples in tongban/bot_contract.py)")
        check = max(fits, key=lambda c: len(_gating(c["answers"])))
        if check["status"] >= 400:
            raise Captured(check)

    def update_project(self, project_id, query, body, user):
        project = self._project(project_id)
        for field in FACTS:
            if body.get(field) is None:
                continue
            value = str(body[field]).strip()
            if field in CAPTURED["accepted_facts"]:  # a fact the API checks
                self._checked({field: value}, {})
            project[field] = value
        merged = dict(project["indicators"])
        for key, value in (body.get("indicators") or {}).items():
            self._checked({"indicators": {key: value}}, _gating({k: v for k, v in merged.items() if k != key}))
            merged[key] = value
        project["indicators"] = {k: v for k, v in merged.items() if v is not None}
        return 200, self._out(project)

    def _questions(self, project):
        values = project["indicators"]
        gating = _gating(values)
        state = next((a for a in CAPTURED["applicability"] if a["answers"] == gating), None)
        if state is None:
            raise NotCaptured(f"which questions apply after {gating} was not captured")
        unanswered = [k for k in state["unanswered"] if values.get(k) is None]
        return {
            "applicable": [self._question_out(k, values) for k in state["applicable"]],
            "unanswered": unanswered,
            "next": self._question_out(unanswered[0], values) if unanswered else None,
            "missing_project_info": [f for f in CAPTURED["missing_project_info"] if not project.get(f)],
            "project_info_labels": dict(FACTS),
        }

    def project_questions(self, project_id, query, body, user):
        return 200, self._questions(self._project(project_id))

    def derive(self, project_id, query, body, user):
        project = self._project(project_id)
        questions = self._questions(project)
        if questions["missing_project_info"] or questions["unanswered"]:
            raise NotCaptured("derive with facts or answers missing: the bot derives only once nothing is missing")
        # The flow the real API derived for the sample project (tongban/bot_samples.py): which approvals a flow
        # holds is the rule engine's business; the bot only shows it, so any complete project gets this one.
        project["derived"] = True
        return 200, DERIVATION

    def letters(self, project_id, query, body, user):
        project = self._project(project_id)
        return 200, LETTERS if project.get("derived") else []


    def my_projects(self, query, body, user):
        if not user:
            raise Captured(ERRORS["my_projects_needs_channel_user"])
        sample = next((s for s in MY_PROJECTS.values() if s["channel_user"] == user), None)
        if sample is None:
            raise NotCaptured(f"我的项目 of {user} was not captured (FILERS in tongban/bot_project_samples.py)")
        return 200, sample["answer"]


class _Handler(BaseHTTPRequestHandler):
    api: FakeApi

    def _serve(self) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, payload = self.api.handle(self.command, url.path, query, headers, body)
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = _serve

    def log_message(self, *args: Any) -> None:  # quiet
        pass


def serve() -> Tuple[FakeApi, ThreadingHTTPServer]:
    """Starts the fake API on a free port of 127.0.0.1 in a thread."""
    api = FakeApi()
    handler = type("Handler", (_Handler,), {"api": api})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return api, server


if __name__ == "__main__":  # python tests/fake_api.py [PORT] — for trying the bot by hand without the app
    import sys
    import time

    state = FakeApi()
    handler = type("Handler", (_Handler,), {"api": state})
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 18000
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"fake /api/v1 on http://127.0.0.1:{port}/api/v1 (token {TOKEN})", flush=True)
    while True:
        time.sleep(3600)
