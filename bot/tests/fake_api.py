"""A small stand-in for the app's /api/v1 on 127.0.0.1, for the action tests.

It keeps no rules of the core: the questions, which of them apply, how answers are displayed, which answers and
project facts are refused and with what message, and the case queries' error messages are answers captured
from the real API (api_fixtures.json, written by `tongban bot-contract`). Every request the actions send and
every answer the fake gives is checked against the app's OpenAPI (openapi.json, see contract.py); a mismatch,
an unknown path or something the captured answers do not cover is recorded in ``problems`` and fails the test.
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


class ApiFailure(Exception):
    def __init__(self, status: int, message: str, code: str = "invalid", field: Optional[str] = None):
        super().__init__(message)
        self.status, self.message, self.code, self.field = status, message, code, field


class Captured(Exception):
    """An error answer exactly as the real API gave it."""

    def __init__(self, answer: Dict[str, Any]):
        super().__init__(answer["body"]["error"]["message"])
        self.status, self.body = answer["status"], answer["body"]


class NotCaptured(Exception):
    """The fake was asked something the captured answers do not cover: extend tongban/bot_contract.py."""


GUIDES = {
    17: {
        "id": 17,
        "code": "11320583MB1234567X-00",
        "name": "建筑工程施工许可证核发",
        "item_type": "行政许可",
        "category": "投资建设",
        "department_id": 5,
        "department_name": "建设局",
        "promised_limit": 5,
        "promised_unit": "工作日",
        "statutory_limit": 15,
        "statutory_unit": "工作日",
        "fee": "不收费",
        "location": "XX经济开发区便民服务中心（绿地大道721号）二楼B区21号窗口",
        "office_hours": "周一至周五 上午9:00-12:00，下午13:30-17:00（法定节假日除外）",
        "consult_phone": "0512-57863501",
        "complaint_phone": "0512-57866345",
        "is_online": True,
        "visits": 0,
        "result_name": "建筑工程施工许可证",
        "conditions": "1.已办理用地批准手续；2.已取得建设工程规划许可证……",
        "legal_basis": "《中华人民共和国建筑法》第八条",
        "scope": "在开发区内新建、改建、扩建房屋建筑工程的建设单位",
        "case_type": 2,
        "case_type_label": "承诺件",
        "delivery_method": "窗口领取或邮寄",
        "elements": [],
        "materials": [
            {"id": 1, "name": "建筑工程施工许可证申请表", "required": True, "form": "原件", "copies": 1},
            {"id": 2, "name": "建设工程规划许可证", "required": True, "form": "复印件", "copies": 1},
            {"id": 3, "name": "施工合同", "required": True, "form": "复印件", "copies": 1},
            {"id": 4, "name": "监理合同（依法应当监理的工程）", "required": False, "form": "复印件", "copies": 1},
        ],
    },
    13: {
        "id": 13,
        "code": "11320583MB1234567X-01",
        "name": "户外广告设置的审批",
        "item_type": "行政许可",
        "category": "城市管理",
        "department_id": 9,
        "department_name": "城市管理局",
        "promised_limit": 3,
        "promised_unit": "工作日",
        "statutory_limit": 20,
        "statutory_unit": "工作日",
        "fee": "不收费",
        "location": "便民服务中心二楼A区6号窗口",
        "office_hours": "工作日 9:00-17:00",
        "consult_phone": "0512-57863522",
        "is_online": True,
        "visits": 1,
        "result_name": "户外广告设置许可决定书",
        "conditions": "设置位置符合户外广告设置规划",
        "legal_basis": "《城市市容和环境卫生管理条例》第十一条",
        "scope": "在开发区内设置户外广告的单位和个人",
        "complaint_phone": "0512-57866345",
        "case_type": 2,
        "case_type_label": "承诺件",
        "delivery_method": "窗口领取",
        "elements": [],
        "materials": [{"id": 9, "name": "户外广告设置申请表", "required": True}],
    },
}


class FakeApi:
    """State and routing of the fake API; ``requests`` records (method, path, headers, body)."""

    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        self.projects: Dict[int, Dict[str, Any]] = {}
        self.next_project_id = 101
        self.bindings: Dict[str, set] = {BOUND_USER: {"KF202611260017"}}
        self.rated: set = set()
        self.down = False  # answers 503 to everything when set
        self.problems: List[str] = []  # requests and answers that do not fit the real API (tests fail on any)
        self.cases = {
            "KF202611260017": {
                "code": "385920",
                "progress": {
                    "case_no": "KF202611260017",
                    "service_item_name": "建筑工程施工许可证核发",
                    "applicant_name": "苏*科技有限公司",
                    "department_name": "建设局",
                    "status": "processing",
                    "status_label": "办理中",
                    "current_step_label": "审查",
                    "submitted_at": "2026-11-26T09:12:00",
                    "accepted_at": "2026-11-26T10:00:00",
                    "promised_date": "2026-12-03T17:00:00",
                    "time_state": "normal",
                    "clock_paused": False,
                    "concluded_at": None,
                    "conclusion_result_label": "",
                    "steps": [
                        {
                            "step_label": "受理",
                            "action_label": "受理",
                            "result_label": "予以受理",
                            "department_name": "建设局",
                            "opinion": "",
                            "created_at": "2026-11-26T10:00:00",
                        },
                        {
                            "step_label": "审查",
                            "action_label": "审查",
                            "result_label": "",
                            "department_name": "建设局",
                            "opinion": "",
                            "created_at": "2026-11-27T15:30:00",
                        },
                    ],
                    "pending_supplement": [],
                },
            },
            "KF202611010023": {
                "code": "604213",
                "progress": {
                    "case_no": "KF202611010023",
                    "service_item_name": "户外广告设置的审批",
                    "applicant_name": "张*",
                    "department_name": "城市管理局",
                    "status": "concluded",
                    "status_label": "已办结",
                    "current_step_label": "办结",
                    "submitted_at": "2026-11-01T09:00:00",
                    "accepted_at": "2026-11-01T09:30:00",
                    "promised_date": "2026-11-06T17:00:00",
                    "time_state": "normal",
                    "clock_paused": False,
                    "concluded_at": "2026-11-04T16:00:00",
                    "conclusion_result_label": "准予许可",
                    "steps": [],
                    "pending_supplement": [],
                },
            },
        }

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
            ("GET", r"/api/v1/items", self.items),
            ("GET", r"/api/v1/items/(\d+)", self.guide),
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
        ]
        for verb, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                try:
                    return handler(*match.groups(), query=query, body=body, user=user)
                except Captured as captured:
                    return captured.status, captured.body
                except ApiFailure as failure:
                    error = {"code": failure.code, "message": failure.message}
                    if failure.field:
                        error["field"] = failure.field
                    return failure.status, {"error": error}
        self.problems.append(f"{method} {path}: the fake does not serve it")
        return 404, {"error": {"code": "http_404", "message": "请求的地址不存在"}}

    # --- knowledge and guides ---------------------------------------------------------------------------------

    def search(self, query, body, user):
        q = query.get("q", "")
        if "容缺" in q:
            return 200, {
                "query": q,
                "answered": True,
                "hits": [
                    {
                        "kind": "glossary",
                        "key": "glossary:18",
                        "title": "容缺受理",
                        "link": "/knowledge/glossary/18",
                        "score": 12.5,
                        "confidence": 0.91,
                        "snippet": "<mark>容缺受理</mark>是指基本条件具备、主要申请材料齐全，次要材料欠缺时先予受理……",
                    },
                    {
                        "kind": "faq",
                        "key": "faq:7",
                        "title": "材料不齐能先受理吗？",
                        "link": "/knowledge/faqs/7",
                        "score": 8.1,
                        "confidence": 0.6,
                        "snippet": "符合&lt;容缺受理&gt;条件的可以先行受理……",
                    },
                ],
            }
        if "第四十条" in q:
            return 200, {
                "query": q,
                "answered": True,
                "hits": [
                    {
                        "kind": "law",
                        "key": "law:2:第四十条",
                        "title": "《中华人民共和国城乡规划法》第四十条",
                        "link": "/knowledge/laws/2#第四十条",
                        "score": 15.0,
                        "confidence": 0.95,
                        "snippet": "在城市、镇规划区内进行建筑物、构筑物……建设的，建设单位或者个人应当向……申请办理建设工程规划许可证。",
                    },
                ],
            }
        return 200, {
            "query": q,
            "answered": False,
            "hits": [
                {
                    "kind": "faq",
                    "key": "faq:99",
                    "title": "不相关的问题",
                    "link": "/knowledge/faqs/99",
                    "score": 0.8,
                    "confidence": 0.1,
                    "snippet": "……",
                }
            ],
        }

    def items(self, query, body, user):
        q = query.get("q", "")
        return 200, [
            {
                "id": g["id"],
                "code": g["code"],
                "name": g["name"],
                "item_type": g["item_type"],
                "category": g["category"],
                "department_id": g["department_id"],
                "department_name": g["department_name"],
                "promised_limit": g["promised_limit"],
                "promised_unit": g["promised_unit"],
                "case_type_label": "承诺件",
                "is_online": g["is_online"],
                "fee": g["fee"],
            }
            for g in GUIDES.values()
            if q and q in g["name"]
        ]

    def guide(self, item_id, query, body, user):
        if int(item_id) not in GUIDES:
            raise Captured(ERRORS["item_not_found"])
        return 200, GUIDES[int(item_id)]

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
        return [
            {
                "case_no": no,
                "item_name": self.cases[no]["progress"]["service_item_name"],
                "status_label": self.cases[no]["progress"]["status_label"],
                "current_step_label": self.cases[no]["progress"]["current_step_label"],
                "department_name": self.cases[no]["progress"]["department_name"],
                "submitted_at": self.cases[no]["progress"]["submitted_at"],
            }
            for no in sorted(self.bindings.get(user, set()))
        ]

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
            raise ApiFailure(409, "办件尚未办结，办结后才能评价", "conflict")
        if progress["case_no"] in self.rated:
            raise ApiFailure(409, "该办件已经评价过了（一事一评）", "conflict")
        level = int(body["level"])
        self.rated.add(progress["case_no"])
        labels = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
        bad = level <= 2
        return 201, {
            "case_no": progress["case_no"],
            "level": level,
            "level_label": labels[level],
            "follow_up": bad,
            "follow_up_due_at": "2026-12-10T17:00:00" if bad else None,
        }

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
        return {
            "id": project["id"],
            "code": "",
            "name": project["name"],
            "status": "draft",
            "status_label": "草稿",
            "indicators": dict(project["indicators"]),
            "enterprise_name": project.get("enterprise_name", ""),
            "credit_code": project.get("credit_code", ""),
            "location": project.get("location", ""),
            "contact_name": project.get("contact_name", ""),
            "contact_phone": project.get("contact_phone", ""),
            "derivation_stale": False,
            "created_at": "2026-11-26T10:00:00",
            "updated_at": "2026-11-26T10:00:00",
        }

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
        if questions["missing_project_info"]:
            field = questions["missing_project_info"][0]
            raise ApiFailure(422, f"请先填写{FACTS[field]}", field=field)
        if questions["unanswered"]:
            key = questions["unanswered"][0]
            raise ApiFailure(422, f"请先回答：{BY_KEY[key]['label']}", field=f"indicators.{key}")
        # (the flow below is made up: the bot only shows it; its shape is checked against the OpenAPI)
        values = project["indicators"]
        stages = [
            {
                "code": "land",
                "name": "立项用地规划许可阶段",
                "items": [
                    {
                        "code": "A01",
                        "name": "企业投资项目备案"
                        if values.get("investor") == "enterprise"
                        else "政府投资项目可行性研究报告审批",
                        "stage": "land",
                        "stage_name": "立项用地规划许可阶段",
                        "department_code": "D01",
                        "department_name": "经济发展局",
                        "time_limit_days": 1,
                    },
                    {
                        "code": "A02",
                        "name": "建设用地规划许可证核发",
                        "stage": "land",
                        "stage_name": "立项用地规划许可阶段",
                        "department_code": "D03",
                        "department_name": "自然资源和规划分局",
                        "time_limit_days": 5,
                    },
                ],
            },
            {
                "code": "permit",
                "name": "工程建设许可阶段",
                "items": [
                    {
                        "code": "B01",
                        "name": "建设工程规划许可证核发",
                        "stage": "permit",
                        "stage_name": "工程建设许可阶段",
                        "department_code": "D03",
                        "department_name": "自然资源和规划分局",
                        "time_limit_days": 5,
                    }
                ],
            },
            {
                "code": "construction",
                "name": "施工许可阶段",
                "items": [
                    {
                        "code": "C01",
                        "name": "建筑工程施工许可证核发",
                        "stage": "construction",
                        "stage_name": "施工许可阶段",
                        "department_code": "D05",
                        "department_name": "建设局",
                        "time_limit_days": 3,
                    }
                ],
            },
            {"code": "acceptance", "name": "竣工验收阶段", "items": []},
        ]
        project["derived"] = True
        return 200, {
            "id": 1,
            "seq": 1,
            "rule_set_version": 3,
            "created_at": "2026-11-26T10:00:00",
            "reviews": [],
            "flow": {
                "rule_set_version": 3,
                "indicators": values,
                "stages": stages,
                "intermediaries": [],
                "ruled_out": [{"kind": "approval", "code": "X01", "name": "固定资产投资项目节能审查", "reasons": []}],
                "total_days": 14,
                "skipped_rules": [],
            },
        }

    def letters(self, project_id, query, body, user):
        project = self._project(project_id)
        if not project.get("derived"):
            return 200, []
        return 200, [
            {
                "version": 1,
                "verification_code": "K7Q2M9X4",
                "is_final": False,
                "issued_at": "2026-11-26T10:00:00",
                "superseded": False,
                "pdf_url": "/api/v1/letters/K7Q2M9X4/pdf",
                "verify_url": "http://127.0.0.1:8000/letters/K7Q2M9X4",
            }
        ]


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
