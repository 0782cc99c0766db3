"""The one thin, typed HTTP client the actions use to reach the app's /api/v1.

The actions own no data: every fact the bot states comes from these calls. Configuration comes from the
environment:

- ``TONGBAN_API_URL``    base of the API (default ``http://127.0.0.1:8000/api/v1``)
- ``TONGBAN_BOT_TOKEN``  service token, sent as ``Authorization: Bearer ...``
- ``TONGBAN_PUBLIC_URL`` base that relative links are joined to (default ``http://127.0.0.1:8000``)
- ``TONGBAN_API_TIMEOUT`` seconds per request (default 8)

Every call carries ``X-Channel-User: <channel>:<id>`` — the Rasa sender id the gateway uses is already in
that shape — and ``X-Request-ID``, the id the gateway put in the message's metadata. Errors come back as :class:`ApiError` with the API's Chinese message, ready to show.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from typing import Any, Dict, List, Optional, TypedDict

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "http://127.0.0.1:8000/api/v1"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
CHANNEL_USER = re.compile(r"^(wechat|webchat|wecom|rest):[A-Za-z0-9_@.\-]{1,80}$")
UNAVAILABLE = "服务暂时不可用，请稍后再试。"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


# --- shapes of the answers (the fields the bot reads; the API may send more) ------------------------------------


class Hit(TypedDict, total=False):
    kind: str  # faq | law | policy | glossary | item (a service item; link /guides/<id>)
    kind_label: str
    key: str
    title: str
    link: str
    score: float
    confidence: float
    snippet: str
    text: str  # the answer as plain text: the source's first sentences, cut only at a sentence end
    citation: str
    law_status: Optional[str]  # in_force | amended | repealed, for a law article
    notice: str  # "该法规已于…废止，现行规定见《…》。" (empty while in force)
    replaced_by_link: str


class RecognisedItem(TypedDict, total=False):
    id: int
    name: str
    matched: str


class SearchResult(TypedDict, total=False):
    query: str
    answered: bool  # the top hit is good enough to answer with
    clear: bool  # the top hit is clearly ahead (else the bot offers the best three)
    recognised_item: Optional[RecognisedItem]  # the item the question is about, from the search's recogniser
    hits: List[Hit]


class ItemSummary(TypedDict, total=False):
    id: int
    name: str
    department_name: str
    promised_limit: int
    promised_unit: str
    fee: str
    is_online: bool


class Material(TypedDict, total=False):
    name: str
    required: bool
    form: str
    copies: int
    notes: str


class Centre(TypedDict, total=False):
    name: str  # the centre's configured name (setting centre_name)


class Guide(TypedDict, total=False):
    id: int
    name: str
    department_name: str
    promised_limit: int
    promised_unit: str
    statutory_limit: int
    statutory_unit: str
    fee: str
    location: str
    office_hours: str
    consult_phone: str
    conditions: str
    materials: List[Material]
    is_online: bool
    visits: int
    result_name: str


class Step(TypedDict, total=False):
    step_label: str
    action_label: str
    result_label: str
    department_name: str
    created_at: str


class Progress(TypedDict, total=False):
    case_no: str
    service_item_name: str
    item_name: str
    department_name: str
    status: str
    status_label: str
    current_step_label: str
    promised_date: Optional[str]
    concluded_at: Optional[str]
    conclusion_result_label: str
    pending_supplement: List[str]
    steps: List[Step]


class MyCase(TypedDict, total=False):
    case_no: str
    item_name: str
    status_label: str
    current_step_label: str
    department_name: str
    submitted_at: str


class Rating(TypedDict, total=False):
    case_no: str
    level: int
    level_label: str
    follow_up: bool
    follow_up_due_at: Optional[str]


class Question(TypedDict, total=False):
    key: str
    label: str
    prompt: str
    kind: str  # choice | yes_no | number
    options: Dict[str, str]
    unit: str
    minimum: Optional[float]
    maximum: Optional[float]
    help: str
    gating: bool
    answer: Any
    answer_display: str


class Questions(TypedDict):
    applicable: List[Question]
    unanswered: List[str]
    next: Optional[Question]
    missing_project_info: List[str]
    project_info_labels: Dict[str, str]


class Project(TypedDict, total=False):
    id: int
    code: str
    name: str
    status: str
    status_label: str
    indicators: Dict[str, Any]


class FlowItem(TypedDict, total=False):
    code: str
    name: str
    department_name: str
    time_limit_days: int


class FlowStage(TypedDict, total=False):
    code: str
    name: str
    items: List[FlowItem]


class Flow(TypedDict, total=False):
    stages: List[FlowStage]
    ruled_out: List[Dict[str, Any]]
    total_days: int


class Derivation(TypedDict, total=False):
    id: int
    flow: Flow


class Letter(TypedDict, total=False):
    version: int
    is_final: bool
    pdf_url: str
    verify_url: str


class Ref(TypedDict, total=False):
    id: int
    name: str


class MyNode(TypedDict, total=False):
    id: int
    name: str
    stage_name: str
    department: Ref
    state: str  # pending | in_progress | done | skipped
    state_label: str
    planned_start: Optional[str]
    planned_finish: Optional[str]
    actual_start: Optional[str]
    actual_finish: Optional[str]
    overdue: bool
    ready: bool


class MyMilestone(TypedDict, total=False):
    name: str
    department_name: str
    planned_finish: str
    actual_finish: Optional[str]
    overdue: bool


class Share(TypedDict, total=False):
    done: int
    total: int
    percent: int


class MyMajorProject(TypedDict, total=False):
    code: str
    stage_label: str
    status: str
    status_label: str
    lead_department_name: str
    officer_name: str
    progress: Dict[str, Any]  # overall / by_stage / milestones, each a Share
    overdue_nodes: int
    nodes: List[MyNode]
    next_steps: List[MyNode]
    next_milestones: List[MyMilestone]


class MyLetter(TypedDict, total=False):
    version: int
    is_final: bool
    issued_at: str
    pdf_url: str


class MyProject(TypedDict, total=False):
    id: int
    code: str
    name: str
    status: str  # draft | derived | in_review | confirmed
    status_label: str
    reviews_pending: List[str]
    letter: Optional[MyLetter]
    major_project: Optional[MyMajorProject]


# --- errors -----------------------------------------------------------------------------------------------------


class ApiError(Exception):
    """A failure with a message a person can act on (the API's own, or a generic one when unreachable)."""

    def __init__(self, status: int, code: str, message: str, field: Optional[str] = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    @property
    def unavailable(self) -> bool:
        """True when the API could not be reached or failed on its side (not the user's input)."""
        return self.status == 0 or self.status >= 500


# --- the client -------------------------------------------------------------------------------------------------


def public_link(path: str) -> str:
    """An absolute link for a relative path the API returned."""
    if not path or path.startswith(("http://", "https://")):
        return path
    base = os.environ.get("TONGBAN_PUBLIC_URL", DEFAULT_PUBLIC_URL).rstrip("/")
    return base + (path if path.startswith("/") else "/" + path)


def channel_of(sender_id: Optional[str]) -> str:
    """The channel part of a sender id (``wechat:oyOR...`` → ``wechat``), ``rest`` when it has none."""
    if sender_id and CHANNEL_USER.match(sender_id):
        return sender_id.split(":", 1)[0]
    return "rest"


class TongbanClient:
    """Calls /api/v1 for one conversation turn. Use as ``async with TongbanClient(sender_id) as api:``."""

    def __init__(
        self,
        sender_id: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        token: Optional[str] = None,
        timeout: Optional[float] = None,
        request_id: Optional[str] = None,
    ) -> None:
        self.base_url = (base_url or os.environ.get("TONGBAN_API_URL") or DEFAULT_API_URL).rstrip("/")
        self.token = token if token is not None else os.environ.get("TONGBAN_BOT_TOKEN", "")
        self.timeout = timeout or float(os.environ.get("TONGBAN_API_TIMEOUT", "8"))
        self.sender_id = sender_id
        self.request_id = request_id if request_id and REQUEST_ID.match(request_id) else None
        self._session: Optional[aiohttp.ClientSession] = None

    async def __aenter__(self) -> "TongbanClient":
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _headers(self) -> Dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        # The API refuses identifiers that are not "<channel>:<id>" (e.g. `rasa shell`'s "default").
        if self.sender_id and CHANNEL_USER.match(self.sender_id):
            headers["X-Channel-User"] = self.sender_id
        # The id of the channel request that started this turn: the API's log lines for these calls name it too.
        if self.request_id:
            headers["X-Request-ID"] = self.request_id
        return headers

    @property
    def has_channel_user(self) -> bool:
        """Whether calls identify the channel user (needed for 我的办件, bindings, password-less progress)."""
        return bool(self.sender_id and CHANNEL_USER.match(self.sender_id))

    async def request(
        self, method: str, path: str, *, params: Optional[Dict[str, Any]] = None, body: Any = None
    ) -> Any:
        """One call; JSON in and out; raises :class:`ApiError` on any failure."""
        if self._session is None:
            raise RuntimeError("TongbanClient must be used with `async with`")
        url = self.base_url + path
        try:
            async with self._session.request(
                method, url, params=params, json=body, headers=self._headers()
            ) as response:
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:  # asyncio's is not the builtin on 3.10
            logger.warning("API %s %s unreachable: %s", method, path, exc)
            raise ApiError(0, "unavailable", UNAVAILABLE) from exc
        try:
            data = json.loads(text) if text else None
        except ValueError:
            data = None
        if status >= 400:
            error = (data or {}).get("error") if isinstance(data, dict) else None
            if isinstance(error, dict) and error.get("message"):
                raise ApiError(status, str(error.get("code", "error")), str(error["message"]), error.get("field"))
            logger.warning("API %s %s failed with %s: %s", method, path, status, text[:200])
            raise ApiError(status, "error", UNAVAILABLE)
        return data

    # knowledge
    async def search_knowledge(self, q: str, *, kind: str = "all", limit: int = 3) -> SearchResult:
        return await self.request(
            "GET", "/knowledge/search", params={"q": q, "kind": kind, "limit": limit, "channel": "bot"}
        )

    async def centre(self) -> Centre:
        return await self.request("GET", "/knowledge/centre")

    # service items and guides
    async def list_items(self, q: str) -> List[ItemSummary]:
        return await self.request("GET", "/items", params={"q": q})

    async def guide(self, item_id: int) -> Guide:
        return await self.request("GET", f"/items/{int(item_id)}")

    # cases
    async def progress(self, case_no: str, query_code: Optional[str] = None) -> Progress:
        body: Dict[str, Any] = {"case_no": case_no}
        if query_code:
            body["query_code"] = query_code
        return await self.request("POST", "/progress", body=body)

    async def my_cases(self) -> List[MyCase]:
        return await self.request("GET", "/my/cases")

    async def bind(self, case_no: str, query_code: str) -> List[MyCase]:
        return await self.request("POST", "/my/bindings", body={"case_no": case_no, "query_code": query_code})

    async def rate(self, case_no: str, level: int, comment: str = "", query_code: Optional[str] = None) -> Rating:
        body: Dict[str, Any] = {
            "case_no": case_no,
            "level": int(level),
            "comment": comment or "",
            "channel": channel_of(self.sender_id),
        }
        if query_code:
            body["query_code"] = query_code
        return await self.request("POST", "/ratings", body=body)

    # construction projects
    async def all_questions(self) -> List[Question]:
        return await self.request("GET", "/projects/questions")

    async def create_project(self, name: str) -> Project:
        return await self.request("POST", "/projects", body={"name": name, "indicators": {}})

    async def project(self, project_id: int) -> Project:
        return await self.request("GET", f"/projects/{int(project_id)}")

    async def project_questions(self, project_id: int) -> Questions:
        return await self.request("GET", f"/projects/{int(project_id)}/questions")

    async def update_project(self, project_id: int, changes: Dict[str, Any]) -> Project:
        return await self.request("PATCH", f"/projects/{int(project_id)}", body=changes)

    async def answer(self, project_id: int, key: str, value: Any) -> Project:
        return await self.update_project(project_id, {"indicators": {key: value}})

    async def derive(self, project_id: int) -> Derivation:
        return await self.request("POST", f"/projects/{int(project_id)}/derive")

    async def letters(self, project_id: int) -> List[Letter]:
        return await self.request("GET", f"/projects/{int(project_id)}/letters")

    async def my_projects(self) -> List[MyProject]:
        """The channel user's own projects with their filing status and, once tracked, their approval nodes."""
        return await self.request("GET", "/my/projects")
