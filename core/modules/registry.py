"""The platform's program modules (程序模块, seed 4.15) and which routes belong to each.

A module is a part of the staff site that an administrator may switch off per role (core/modules/service.py):
its menu entries disappear and its pages and /api/v1 routes answer 403. Which routes a module has is said here
once, by path prefix, for the admin pages and the API alike; tests/test_modules.py fails on a staff route (under
/admin or /api/v1) that no prefix below claims, as tests/test_authz_matrix.py fails on a route without a MATRIX
entry — a new part of the platform has to say which module it belongs to, or that it is never switched.

Never switched (``ALWAYS``): what every signed-in person needs (the workbench, their own profile and messages,
signing in), the public reads the portal and the channels rely on (progress query, publicity, the letters'
check), and the three administrators' own work under 三员分立 (departments, users, roles, the audit log and this
very switchboard): one of them switching it off for another would undo the separation of duties, and a system
administrator could lock themselves out of the page that switches modules back on. Portal pages and the channels'
callbacks are outside /admin and /api/v1 and are never switched either.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Module:
    """One switchable part of the staff site."""

    code: str
    name: str
    description: str


MODULES: tuple[Module, ...] = (
    Module("cases", "办件管理", "办件列表、窗口登记、受理审查、决定办结、办件导出"),
    Module("items", "事项管理", "事项与办事指南、受理资料模板、受理指导、发布与版本"),
    Module("ratings", "好差评", "好差评与差评整改"),
    Module("boards", "统计大屏", "政务服务大厅大屏、领导端大屏"),
    Module("knowledge", "知识库", "咨询问答、法规政策、政务百科的编辑审核，未解答问题"),
    Module("conversations", "在线咨询", "转人工咨询的接待"),
    Module("filing", "项目报建", "投资建设项目、部门审核、流程推演规则、专项报建指南、指导意见书"),
    Module("major_projects", "重大项目", "重大项目跟踪：节点、里程碑、协调问题、会商、统计"),
    Module("warnings", "项目预警", "预警签收处理、预警设置"),
    Module("assessment", "进度考核", "考核方案、考核计算、结果发布与申诉"),
    Module("supervision", "审管衔接", "审批推送的认领反馈、推送配置、事项比对、统计"),
    Module("guidance", "帮办代办", "帮办预约、帮办员排班、预约日历、服务统计"),
    Module("exchange", "数据交换", "与外部系统的数据交换记录、对账、重发与重放"),
    Module("notifications", "通知投递", "通知投递状态、重发失败的通知"),
)
"""Every switchable module, in the order the switchboard lists them."""

BY_CODE = {module.code: module for module in MODULES}

ALWAYS = ""
"""The "module" of routes that are never switched (see the module's doc)."""

PREFIXES: dict[str, str] = {
    # ---- never switched: everyone's own pages, signing in, public reads, the three administrators' work
    "/admin": ALWAYS,  # the workbench (exactly /admin; its sub-pages are claimed below)
    "/admin/me": ALWAYS,
    "/admin/inbox": ALWAYS,
    "/admin/departments": ALWAYS,
    "/admin/users": ALWAYS,
    "/admin/roles": ALWAYS,
    "/admin/audit": ALWAYS,
    "/admin/modules": ALWAYS,
    "/api/v1/me": ALWAYS,
    "/api/v1/my": ALWAYS,
    "/api/v1/auth": ALWAYS,
    "/api/v1/departments": ALWAYS,
    "/api/v1/users": ALWAYS,
    "/api/v1/roles": ALWAYS,
    "/api/v1/audit": ALWAYS,
    "/api/v1/progress": ALWAYS,
    "/api/v1/publicity": ALWAYS,
    "/api/v1/statistics": ALWAYS,  # the portal's public statistics (the boards are the staff's: a module)
    "/api/v1/letters": ALWAYS,
    "/api/v1/uploads": ALWAYS,  # files of an online application as of a window registration
    "/api/v1/docs": ALWAYS,
    "/api/v1/openapi.json": ALWAYS,
    # ---- the modules
    "/admin/cases": "cases",
    "/api/v1/cases": "cases",
    "/api/v1/applicants": "cases",
    "/admin/items": "items",
    "/api/v1/items": "items",
    "/api/v1/ratings": "ratings",
    "/admin/boards": "boards",
    "/api/v1/boards": "boards",
    "/admin/knowledge": "knowledge",
    "/api/v1/knowledge": "knowledge",
    "/admin/conversations": "conversations",
    "/api/v1/handoffs": "conversations",
    "/admin/filing": "filing",
    "/api/v1/projects": "filing",
    "/api/v1/project-reviews": "filing",
    "/api/v1/rules": "filing",
    "/api/v1/topics": "filing",
    "/admin/major-projects": "major_projects",
    "/api/v1/major-projects": "major_projects",
    "/admin/warnings": "warnings",
    "/api/v1/warnings": "warnings",
    "/admin/assessment": "assessment",
    "/api/v1/assessment": "assessment",
    "/admin/supervision": "supervision",
    "/api/v1/supervision": "supervision",
    "/admin/guidance": "guidance",
    "/api/v1/guidance": "guidance",
    "/admin/exchange": "exchange",
    "/api/v1/exchange": "exchange",
    "/admin/notifications": "notifications",
    "/api/v1/notifications": "notifications",
}
"""Route path (template or address) prefix → module code, or ``ALWAYS``. The longest prefix that matches whole
segments wins (``/api/v1/cases`` claims ``/api/v1/cases/{case_id}/accept``, not ``/api/v1/casesx``);
``/admin`` itself matches only the workbench."""

SWITCHED_AREAS = ("/admin/", "/api/v1/")
"""Where routes belong to modules; everything else (portal pages, channels, static files) is never switched."""


def _matches(path: str, prefix: str) -> bool:
    if path == prefix:
        return True
    if prefix == "/admin":
        return False
    return path.startswith((prefix + "/", prefix + "."))  # /admin/cases.xlsx, /api/v1/statistics.xlsx


def module_of(path: str) -> str | None:
    """The module code a route path (``/api/v1/cases/{case_id}`` or ``/api/v1/cases/12``) belongs to; ``ALWAYS``
    for a route never switched (and every path outside /admin and /api/v1); None for a staff route no prefix
    claims (tests/test_modules.py keeps there being none; the gate lets such a route through)."""
    if path != "/admin" and not path.startswith(SWITCHED_AREAS):
        return ALWAYS
    found, length = None, -1
    for prefix, module in PREFIXES.items():
        if len(prefix) > length and _matches(path, prefix):
            found, length = module, len(prefix)
    return found
