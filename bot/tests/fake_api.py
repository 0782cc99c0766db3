"""A small stand-in for the app's /api/v1 on 127.0.0.1, for the action tests.

It answers with the same shapes as the real API (core/*/schemas.py) and applies the same rules where the bot
depends on them: the indicator questions and when each applies, answer checks with Chinese messages and the
field, the credit-code check digit, one message for a wrong password and an unknown case number, bound
channel users, one rating per concluded case. Every request is recorded for assertions.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlparse

TOKEN = "test-bot-token"
WRONG_CREDENTIALS = "办件编号或查询密码不正确，请核对受理通知书上的信息"
BOUND_USER = "wechat:oyORnuBound01"

INVESTORS = {"government": "政府投资", "enterprise": "企业投资"}
PROJECT_TYPES = {
    "industrial": "工业项目",
    "residential": "居住项目",
    "public_building": "公共建筑",
    "municipal": "市政及管线工程",
    "renovation": "既有建筑装修改造",
}
INDUSTRIES = {
    "chemical": "化学原料和化学制品制造",
    "pharmaceutical": "医药制造（化学药品原料药）",
    "electroplating": "金属表面处理（含电镀工艺）",
    "equipment": "通用及专用设备制造",
    "electronics": "计算机、通信和其他电子设备制造",
    "food": "农副食品加工",
    "warehouse": "仓储物流（不含危险品）",
    "hazardous_warehouse": "危险品仓储",
    "real_estate": "房地产开发",
    "hospital": "医院",
    "school": "学校",
    "road": "城市道路",
    "pipeline": "城市管网",
    "other": "其他",
}


def _q(key, label, prompt, kind, options=None, unit="", maximum=0.0, help="", applies=lambda v: True):
    return {
        "key": key,
        "label": label,
        "prompt": prompt,
        "kind": kind,
        "options": options or {},
        "unit": unit,
        "minimum": 0.0 if kind == "number" else None,
        "maximum": maximum if kind == "number" else None,
        "help": help,
        "gating": key in ("investor", "project_type", "new_land"),
        "applies": applies,
    }


QUESTIONS = [
    _q("investor", "投资主体", "项目由谁投资？", "choice", INVESTORS),
    _q(
        "in_approval_catalogue",
        "是否列入政府核准的投资项目目录",
        "项目是否列入《政府核准的投资项目目录》？",
        "yes_no",
        help="列入目录的企业投资项目实行核准制，其余实行备案制。",
        applies=lambda v: v.get("investor") == "enterprise",
    ),
    _q("project_type", "项目类型", "项目属于哪一类？", "choice", PROJECT_TYPES),
    _q(
        "alters_structure_or_facade",
        "是否改变建筑主体结构或外立面",
        "装修改造是否改变建筑主体结构或外立面？",
        "yes_no",
        applies=lambda v: v.get("project_type") == "renovation",
    ),
    _q(
        "new_land",
        "是否新增用地",
        "项目是否需要新增建设用地？",
        "yes_no",
        applies=lambda v: v.get("project_type") != "renovation",
    ),
    _q(
        "land_supply",
        "土地供应方式",
        "新增用地以什么方式供应？",
        "choice",
        {"allocated": "划拨", "transfer": "出让"},
        applies=lambda v: v.get("project_type") != "renovation" and v.get("new_land") is True,
    ),
    _q("total_investment", "总投资", "项目总投资是多少（元）？", "number", unit="元", maximum=1e12),
    _q("floor_area", "总建筑面积", "总建筑面积是多少（平方米）？", "number", unit="平方米", maximum=1e7),
    _q(
        "civil_building",
        "是否民用建筑",
        "是否为民用建筑（住宅、办公、商业、学校、医院等）？",
        "yes_no",
        applies=lambda v: v.get("project_type") in ("industrial", "renovation"),
    ),
    _q(
        "has_basement",
        "是否建设地下室",
        "是否建设地下室？",
        "yes_no",
        applies=lambda v: v.get("project_type") not in ("renovation", "municipal", None),
    ),
    _q(
        "energy_tce",
        "年综合能源消费量",
        "项目建成后年综合能源消费量是多少吨标准煤？",
        "number",
        unit="吨标准煤",
        maximum=1e8,
    ),
    _q("electricity_kwh", "年电力消费量", "项目建成后年用电量是多少千瓦时？", "number", unit="千瓦时", maximum=1e11),
    _q(
        "industry",
        "所属行业",
        "项目属于哪个行业（用于确定环评类别）？",
        "choice",
        INDUSTRIES,
        applies=lambda v: v.get("project_type") != "renovation",
    ),
    _q("sewage_to_network", "是否向城镇排水管网排放污水", "是否向市政排水管网排放污水？", "yes_no"),
    _q("digs_road", "是否占用、挖掘城市道路", "施工是否需要占用或挖掘城市道路？", "yes_no"),
    _q("bridge_pipeline", "是否在城市桥梁上架设管线", "是否在城市桥梁上架设各类市政管线？", "yes_no"),
    _q("moves_trees", "是否砍伐、移植城市树木", "是否需要砍伐或移植城市树木？", "yes_no"),
    _q("occupies_green_space", "是否临时占用城市绿地", "施工是否需要临时占用城市绿地？", "yes_no"),
    _q("outdoor_advertising", "是否设置户外广告", "是否设置户外广告或招牌？", "yes_no"),
]
BY_KEY = {q["key"]: q for q in QUESTIONS}
FACTS = {
    "name": "项目名称",
    "enterprise_name": "建设单位",
    "credit_code": "统一社会信用代码",
    "location": "建设地点",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
}
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


VALID_CREDIT_CODE = "91320583MA1X2Y3B4" + credit_code_check_char("91320583MA1X2Y3B4")


def _plain(number: float) -> str:
    if number >= 1e8:
        return f"{number / 1e8:g}亿"
    if number >= 1e4:
        return f"{number / 1e4:g}万"
    return f"{number:g}"


def display(key: str, value: Any) -> str:
    q = BY_KEY[key]
    if q["kind"] == "yes_no":
        return "是" if value else "否"
    if q["kind"] == "choice":
        return q["options"].get(value, str(value))
    return f"{_plain(float(value))}{q['unit']}"


def implied(values: Dict[str, Any]) -> Dict[str, Any]:
    out = {}
    if values.get("project_type") in ("residential", "public_building"):
        out["civil_building"] = True
    if values.get("project_type") == "renovation":
        out.update(new_land=False, land_supply="existing", industry="other")
    elif values.get("new_land") is False:
        out["land_supply"] = "existing"
    return out


class ApiFailure(Exception):
    def __init__(self, status: int, message: str, code: str = "invalid", field: Optional[str] = None):
        super().__init__(message)
        self.status, self.message, self.code, self.field = status, message, code, field


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
        "case_type_label": "承诺件",
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
        self.requests.append({"method": method, "path": path, "query": query, "headers": headers, "body": body})
        if self.down:
            return 503, {"error": {"code": "unavailable", "message": "服务维护中"}}
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
                except ApiFailure as failure:
                    error = {"code": failure.code, "message": failure.message}
                    if failure.field:
                        error["field"] = failure.field
                    return failure.status, {"error": error}
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
            raise ApiFailure(404, "事项不存在或未发布", "not_found")
        return 200, GUIDES[int(item_id)]

    # --- cases ------------------------------------------------------------------------------------------------

    def _case(self, case_no: str, code: str, user: Optional[str]) -> Dict[str, Any]:
        case_no = (case_no or "").strip().upper()
        case = self.cases.get(case_no)
        if not code:
            if user and case and case_no in self.bindings.get(user, set()):
                return case
            if user:
                raise ApiFailure(404, WRONG_CREDENTIALS, "wrong_case_or_code")
            raise ApiFailure(422, "请输入查询密码（受理通知书上的6位数字）", field="query_code")
        if case is None or case["code"] != code:
            raise ApiFailure(404, WRONG_CREDENTIALS, "wrong_case_or_code")
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
            raise ApiFailure(422, "缺少渠道用户标识（X-Channel-User）", field="X-Channel-User")
        return 200, self._my(user)

    def bind(self, query, body, user):
        if not user:
            raise ApiFailure(422, "缺少渠道用户标识（X-Channel-User）", field="X-Channel-User")
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

    def _question_out(self, q, values):
        out = {k: v for k, v in q.items() if k != "applies"}
        answer = values.get(q["key"])
        out["answer"] = answer
        out["answer_display"] = display(q["key"], answer) if answer is not None else ""
        return out

    def all_questions(self, query, body, user):
        return 200, [self._question_out(q, {}) for q in QUESTIONS]

    def _project(self, project_id):
        project = self.projects.get(int(project_id))
        if project is None:
            raise ApiFailure(404, "项目不存在", "not_found")
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
        }

    def create_project(self, query, body, user):
        name = (body.get("name") or "").strip()
        if len(name) < 2:
            raise ApiFailure(422, "名称至少2个字", field="name")
        project = {"id": self.next_project_id, "name": name, "indicators": {}, "channel_user": user}
        self.next_project_id += 1
        self.projects[project["id"]] = project
        return 201, self._out(project)

    def _check(self, key, value):
        q = BY_KEY.get(key)
        if q is None:
            raise ApiFailure(422, f"未知的指标：{key}", field=f"indicators.{key}")
        if q["kind"] == "yes_no" and not isinstance(value, bool):
            raise ApiFailure(422, f"{q['label']}应回答“是”或“否”", field=f"indicators.{key}")
        if q["kind"] == "choice" and value not in q["options"]:
            raise ApiFailure(
                422, f"{q['label']}只能选择：" + "、".join(q["options"].values()), field=f"indicators.{key}"
            )
        if q["kind"] == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ApiFailure(422, f"{q['label']}应为数字（单位：{q['unit']}）", field=f"indicators.{key}")
            if value > q["maximum"]:
                raise ApiFailure(
                    422,
                    f"{q['label']}超出合理范围（不超过{_plain(q['maximum'])}{q['unit']}），请核对单位和数值",
                    field=f"indicators.{key}",
                )

    def get_project(self, project_id, query, body, user):
        return 200, self._out(self._project(project_id))

    def update_project(self, project_id, query, body, user):
        project = self._project(project_id)
        for field in FACTS:
            if body.get(field) is None:
                continue
            value = str(body[field]).strip()
            if field == "credit_code":
                if len(value) != 18 or any(c not in CREDIT_CHARS for c in value):
                    raise ApiFailure(422, "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）", field=field)
                if credit_code_check_char(value[:17]) != value[17]:
                    raise ApiFailure(422, "统一社会信用代码校验位不正确，请核对后重新输入", field=field)
            if field == "contact_phone" and not re.fullmatch(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}", value):
                raise ApiFailure(422, "联系电话应为11位手机号或带区号的固定电话", field=field)
            project[field] = value
        answers = body.get("indicators") or {}
        for key, value in answers.items():
            self._check(key, value)
        merged = {**project["indicators"], **answers}
        if merged.get("total_investment") == 0:
            raise ApiFailure(422, "总投资不能为 0", field="indicators.total_investment")
        if (
            merged.get("project_type") in ("industrial", "residential", "public_building")
            and merged.get("floor_area") == 0
        ):
            raise ApiFailure(
                422,
                f"{PROJECT_TYPES[merged['project_type']]}的总建筑面积不能为 0，请填写新建建筑的面积",
                field="indicators.floor_area",
            )
        project["indicators"] = {k: v for k, v in merged.items() if v is not None}
        return 200, self._out(project)

    def _questions(self, project):
        values = project["indicators"]
        applicable = [q for q in QUESTIONS if q["applies"](values)]
        skip = implied(values)
        unanswered = [q for q in applicable if values.get(q["key"]) is None and q["key"] not in skip]
        missing = [f for f in FACTS if not project.get(f)]
        return {
            "applicable": [self._question_out(q, values) for q in applicable],
            "unanswered": [q["key"] for q in unanswered],
            "next": self._question_out(unanswered[0], values) if unanswered else None,
            "missing_project_info": missing,
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
