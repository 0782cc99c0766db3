"""The sample centre the bot contract (tongban/bot_contract.py) captures its answers in: the demo catalogue and
knowledge base, the seed rule set, a case in progress, concluded cases to rate, and a project taken through
derivation. Everything is made through the core's own services at fixed moments (the clock frozen), so that two
captures on fresh databases give the same answers.

The bot's fake /api/v1 serves these answers instead of made-up ones: the guides, the case progress and ratings,
the search results with their kind labels, the derived flow and its letter, and the sample filers' projects with
their approval nodes (tongban/bot_project_samples.py) are what the real API says.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.cases import service as case_service
from core.cases.schemas import ApplicantIn, MaterialIn, SubmitIn
from core.items import demo as item_demo
from core.items.models import ServiceItem
from core.org import service as org_service
from core.org.models import User
from core.rules import service as rules_service
from core.rules.seed import initial_document
from core.seed.demo import seed_departments, seed_items
from core.validators import credit_code_check_char
from knowledge.seed_loader import seed_knowledge
from tongban.bot_project_samples import capture_filers, seed_filers

ITEM_QUERIES = ("施工许可证", "户外广告", "户外广告审批", "宇宙飞船发射许可", "宇宙飞船", "发射")
"""What the bot's tests search the catalogue for (GET /items?q=…); each found item's guide is captured too."""

SEARCH_QUERIES = (
    "什么是容缺受理",
    "容缺受理是什么意思？",
    "城乡规划法第四十条怎么规定的",
    "量子纠缠实验室备案",
    "宇宙飞船发射许可要什么材料",
    "容缺受理的信用代码在哪里查？",
    # the first answer (issue 15): guides through the search's recogniser, a question the NLU may take for out
    # of scope, one that is, a penalty question, a business-opening question, one with no clear top hit
    "施工许可证要什么材料",
    "户外广告审批多久",
    "小卖部卖烟要办什么证",
    "今天天气怎么样",
    "没办施工许可证就开工怎么处罚",
    "开个火锅店要办哪些证",
    "开个时光机工作室要办哪些证",
    "施工",
    # where to download an item's forms (issue 18): the search recognises the item, the templates are its own
    "施工许可申请表在哪下载",
    "户外广告申请表模板",
    # a question about one item that the NLU may take for the start of an intake: its guide, no intake
    "挖开马路埋水管要办什么审批",
    # search first (issue 15): a service question taken for a progress query, a yes/no question about one
    # requirement taken for an intake, a question taken for a hand-off that the search answers clearly
    "排水许可几天能办好",
    "新建住宅要不要配建人防地下室",
    "农用地转建设用地谁批",
    # a question the NLU took for 算了 with nothing to stop, and one asking whether a visit must be booked
    "营业执照原件弄丢了咋办",
    "去办事要不要先预约",
    # a yes/no question about one named approval of a project, and one about a finished building (no intake)
    "报建仓库要办消防设计审查吗",
    "新建厂房报建找你们吗",
    "车间建好了要办不动产证 怎么弄",
)
"""What the bot's tests ask the knowledge base (GET /knowledge/search, as the bot asks: kind all, 3 hits)."""
OPENING_QUERIES = ("开个火锅店要办哪些证", "开个时光机工作室要办哪些证")
"""Business-opening questions the bot also asks of the items alone (kind item, 5 hits)."""

OPEN_ITEM = "建筑工程施工许可证核发"
"""The item of the case in progress (accepted, waiting for its review)."""
RATED_ITEM = "户外广告设置的审批"
"""The item of the concluded cases, one rated at each level."""
LEVELS = (5, 4, 3, 2, 1)

APPLICANT_CODE = "91320583MA1WK4N23" + credit_code_check_char("91320583MA1WK4N23")
APPLICANT = {"kind": "enterprise", "name": "苏州恒创科技有限公司", "id_number": APPLICANT_CODE, "phone": "13812345678"}

PROJECT_FACTS = {
    "name": "恒创智能装备产业园一期",
    "enterprise_name": "苏州恒创科技有限公司",
    "credit_code": APPLICANT_CODE,
    "location": "经济开发区创业路18号",
    "contact_name": "刘工",
    "contact_phone": "13912345678",
}
PROJECT_ANSWERS: dict[str, Any] = {
    "investor": "enterprise",
    "in_approval_catalogue": False,
    "project_type": "industrial",
    "new_land": True,
    "land_supply": "transfer",
    "total_investment": 80_000_000,
    "floor_area": 24_000,
    "civil_building": False,
    "has_basement": False,
    "energy_tce": 800,
    "electricity_kwh": 3_000_000,
    "coal_tonnes": 0,
    "industry": "equipment",
    "sewage_to_network": True,
    "digs_road": False,
    "bridge_pipeline": False,
    "moves_trees": False,
    "occupies_green_space": False,
    "outdoor_advertising": False,
}
"""A typical equipment factory on transferred land: the project the captured derivation and letter belong to."""

LETTER_CODE = "K7Q2M9X4"
"""A letter's verification code is random; the captured answers carry this one in its place."""

MOMENTS = {
    "open_registered": datetime(2026, 11, 26, 9, 12),
    "open_accepted": datetime(2026, 11, 26, 10, 0),
    "rated_registered": datetime(2026, 11, 2, 9, 0),
    "rated_accepted": datetime(2026, 11, 2, 9, 30),
    "rated_reviewed": datetime(2026, 11, 3, 14, 0),
    "rated_decided": datetime(2026, 11, 4, 10, 0),
    "rated_concluded": datetime(2026, 11, 4, 16, 0),
    "asked": datetime(2026, 11, 28, 10, 0),
}
"""When each step happens: a case registered on a Thursday, the questions asked two days later."""


class Api(Protocol):
    """The bot's calls of the real API (tongban/bot_contract.py)."""

    def call(self, method: str, path: str, body: Any = None, channel_user: bool | str = True) -> tuple[int, Any]: ...

    def ok(self, method: str, path: str, body: Any = None) -> Any: ...


@dataclass(frozen=True)
class Case:
    """A sample case and the password the bot's users would type."""

    case_no: str
    query_code: str


def seed(db: Session) -> None:
    """The catalogue, the knowledge base and the rule set in force, as the demo has them."""
    departments = seed_departments(db)
    seed_items(db, departments)
    seed_knowledge(db)
    rules_service.install(db, initial_document(), note="初始规则")
    db.commit()


def _staff(db: Session, item: ServiceItem, role: str) -> User:
    username = f"sample_{role}_{item.department.code}".lower()
    found = org_service.get_user_by_username(db=db, username=username)
    if found is not None:
        return found
    return org_service.create_user(
        db=db,
        username=username,
        name=f"样例{role}",
        password="Sample-Password-2026!",
        role_codes=[role],
        department_id=item.department_id,
    )


def _register(db: Session, item: ServiceItem, at: datetime) -> tuple[Any, User, User]:
    clerk, officer = _staff(db, item, "clerk"), _staff(db, item, "officer")
    clock.freeze(at)
    materials = [MaterialIn(item_material_id=m.id, paper=True) for m in item.materials if m.required]
    data = SubmitIn(service_item_id=item.id, applicant=ApplicantIn.model_validate(APPLICANT), materials=materials)
    return case_service.register_at_window(db, clerk, data), clerk, officer


def make_cases(db: Session) -> tuple[Case, list[Case]]:
    """The case in progress, and one concluded case per rating level (all of the same applicant)."""
    items = {i.name: i for i in db.scalars(select(ServiceItem).where(ServiceItem.name.in_([OPEN_ITEM, RATED_ITEM])))}
    new, clerk, _ = _register(db, items[OPEN_ITEM], MOMENTS["open_registered"])
    clock.freeze(MOMENTS["open_accepted"])
    case_service.accept(db, clerk, new.case)
    open_case = Case(new.case.case_no, new.query_code)
    rated = []
    for _level in LEVELS:
        made, clerk, officer = _register(db, items[RATED_ITEM], MOMENTS["rated_registered"])
        case = made.case
        clock.freeze(MOMENTS["rated_accepted"])
        case_service.accept(db, clerk, case)
        clock.freeze(MOMENTS["rated_reviewed"])
        case_service.review(db, officer, case, agree=True, opinion="材料齐全，符合设置规划")
        clock.freeze(MOMENTS["rated_decided"])
        case_service.decide(db, officer, case, agree=True, opinion="同意设置")
        clock.freeze(MOMENTS["rated_concluded"])
        case_service.conclude(db, officer, case, result=0)
        rated.append(Case(case.case_no, made.query_code))
    db.commit()
    return open_case, rated


def _letter_code_hidden(value: Any, code: str) -> Any:
    """The answer with the letter's random verification code replaced by LETTER_CODE."""
    if isinstance(value, str):
        return value.replace(code, LETTER_CODE)
    if isinstance(value, list):
        return [_letter_code_hidden(v, code) for v in value]
    if isinstance(value, dict):
        return {k: _letter_code_hidden(v, code) for k, v in value.items()}
    return value


def capture_samples(api: Api, db: Session) -> dict[str, Any]:
    """Seeds the sample centre in ``db`` and captures what the bot asks of it."""
    seed(db)
    open_case, rated = make_cases(db)
    clock.freeze(MOMENTS["asked"])

    centre = api.ok("GET", "/knowledge/centre")
    item_searches = {q: api.ok("GET", f"/items?q={q}") for q in ITEM_QUERIES}
    searches = {q: api.ok("GET", f"/knowledge/search?q={q}&kind=all&limit=3&channel=bot") for q in SEARCH_QUERIES}
    opening = {q: api.ok("GET", f"/knowledge/search?q={q}&kind=item&limit=5&channel=bot") for q in OPENING_QUERIES}
    found = {row["id"] for rows in item_searches.values() for row in rows}
    for result in searches.values():  # the bot shows the guide of the item the search recognised or ranked
        found |= {result["recognised_item"]["id"]} if result.get("recognised_item") else set()
        found |= {int(h["link"].rsplit("/", 1)[-1]) for h in result["hits"] if h["kind"] == "item"}
    guides = {str(i): api.ok("GET", f"/items/{i}") for i in sorted(found)}
    item_demo.seed(db)  # the demo's blank forms and samples (the application forms of three items)
    db.commit()
    templates = {str(i): api.ok("GET", f"/items/{i}/templates") for i in sorted(found)}

    progress = {
        c.case_no: api.ok("POST", "/progress", {"case_no": c.case_no, "query_code": c.query_code})
        for c in (open_case, rated[0])
    }
    bound = api.ok("POST", "/my/bindings", {"case_no": open_case.case_no, "query_code": open_case.query_code})
    my_cases = api.ok("GET", "/my/cases")
    ratings: dict[str, Any] = {}
    for level, case in zip(LEVELS, rated, strict=True):
        body = {"case_no": case.case_no, "query_code": case.query_code, "level": level, "channel": "wechat"}
        ratings[str(level)] = api.ok("POST", "/ratings", {**body, "comment": "排队太久" if level <= 2 else ""})
    again = {"case_no": rated[0].case_no, "query_code": rated[0].query_code, "level": 5, "channel": "wechat"}
    not_concluded = {"case_no": open_case.case_no, "query_code": open_case.query_code, "level": 4, "channel": "wechat"}
    rating_errors = {}
    for name, body in (("already_rated", again), ("not_concluded", not_concluded)):
        status, answer = api.call("POST", "/ratings", body)
        rating_errors[name] = {"status": status, "body": answer}

    created = api.ok("POST", "/projects", {"name": PROJECT_FACTS["name"]})
    draft = api.ok("PATCH", f"/projects/{created['id']}", {**PROJECT_FACTS, "indicators": PROJECT_ANSWERS})
    derivation = api.ok("POST", f"/projects/{created['id']}/derive")
    derived = api.ok("GET", f"/projects/{created['id']}")
    letters = api.ok("GET", f"/projects/{created['id']}/letters")
    code = letters[0]["verification_code"]
    seed_filers(api, db, PROJECT_FACTS, PROJECT_ANSWERS)
    my_projects = capture_filers(api)
    clock.freeze(MOMENTS["asked"])
    return {
        "centre": centre,
        "item_searches": item_searches,
        "guides": guides,
        "templates": templates,
        "searches": searches,
        "opening_searches": opening,
        "cases": {"in_progress": open_case.case_no, "concluded": rated[0].case_no},
        "progress": progress,
        "my_case_rows": {row["case_no"]: row for row in [*bound, *my_cases]},
        "ratings": ratings,
        "rating_errors": rating_errors,
        "project_answers": {"created": created, "draft": draft, "derived": derived},
        "derivation": derivation,
        "letters": _letter_code_hidden(letters, code),
        "my_projects": my_projects,
    }
