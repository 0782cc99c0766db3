"""What bench/load.py sends, found before the clock starts: the pages and their ids, staff signed in with their
cases to act on, the citizen's uploads for online applications, web chat sessions and signed WeChat callbacks."""

import hashlib
import json
import random
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

WECHAT_TOKEN = "bench-wechat-token"
DEMO_PASSWORD = "Demo@2026tb"  # core/seed/demo.py DEMO_PASSWORD: the demo staff and citizen
SEARCH_WORDS = ["开餐馆", "营业执照", "食品经营许可", "建设工程规划许可", "公司注册", "社保", "户口迁移", "消防"]
CHAT_WORDS = ["怎么办营业执照", "开饭店要什么材料", "查询办件进度", "你好", "公司变更需要多久"]


@dataclass
class Plan:
    """Everything the Lua script sends, found before the clock starts."""

    requests: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    actions: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not found:
        raise SystemExit("页面中找不到 CSRF 令牌")
    return found.group(1)


def _cookie(client: httpx.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def _ids(html: str, prefix: str) -> list[int]:
    return sorted({int(x) for x in re.findall(rf'href="{re.escape(prefix)}(\d+)"', html)})


def _get(method: str, path: str, **extra: Any) -> dict[str, Any]:
    return {
        "method": method,
        "path": quote(path, safe="/?=&%"),
        "headers": extra.pop("headers", {}),
        "body": extra.pop("body", ""),
    }


def prepare(base: str, codes: list[tuple[str, str]], rng: random.Random) -> Plan:
    """Finds pages, signs staff in, uploads the citizen's materials: the requests of every kind."""
    plan = Plan()
    r = plan.requests
    with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as anon:
        guides = _ids(anon.get("/guides").text, "/guides/")
        faqs = _ids(anon.get("/knowledge/faqs").text, "/knowledge/faqs/")
        laws = _ids(anon.get("/knowledge/laws").text, "/knowledge/laws/")
        policies = _ids(anon.get("/knowledge/policies").text, "/knowledge/policies/")
        departments = sorted({int(x) for x in re.findall(r'<option value="(\d+)"', anon.get("/publicity").text)})
    r["home"] = [_get("GET", "/")]
    r["guides"] = [_get("GET", "/guides")] + [_get("GET", f"/guides?q={w}") for w in SEARCH_WORDS[:3]]
    r["guide"] = [_get("GET", f"/guides/{i}") for i in guides]
    r["search"] = [_get("GET", f"/knowledge/search?q={w}") for w in SEARCH_WORDS] + [
        _get("GET", f"/api/v1/knowledge/search?q={w}") for w in SEARCH_WORDS
    ]
    r["faq"] = [_get("GET", f"/knowledge/faqs/{i}") for i in faqs] or [_get("GET", "/knowledge/faqs")]
    r["law"] = [_get("GET", f"/knowledge/laws/{i}") for i in laws] or [_get("GET", "/knowledge/laws")]
    r["policy"] = [_get("GET", f"/knowledge/policies/{i}") for i in policies] or [_get("GET", "/knowledge/policies")]
    r["publicity"] = (
        [_get("GET", "/publicity")] * 4
        + [_get("GET", f"/publicity?page={p}") for p in (2, 3, 10)]
        + [_get("GET", f"/publicity?department_id={d}") for d in departments]
    )
    r["statistics"] = [_get("GET", "/statistics")] * 3 + [
        _get("GET", f"/statistics?department_id={d}") for d in departments[:5]
    ]
    json_header = {"Content-Type": "application/json"}
    r["progress"] = [
        _get("POST", "/api/v1/progress", headers=json_header, body=json.dumps({"case_no": n, "query_code": c}))
        for n, c in codes[:2000]
    ]
    r["apply"] = _citizen_applications(base, guides, plan)
    r["staff_list"], r["staff_case"] = [], []
    _staff(base, plan, rng)
    r["webchat"] = _webchat(base, rng)
    r["wechat"] = _wechat(rng)
    return plan


@contextmanager
def _login(base: str, username: str) -> Iterator[httpx.Client]:
    """A client signed in to the web site as ``username``."""
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
    token = _csrf(client.get("/login").text)
    answer = client.post(
        "/login", data={"username": username, "password": DEMO_PASSWORD, "next": "", "csrf_token": token}
    )
    if answer.status_code != 303:
        raise SystemExit(f"{username} 登录失败（{answer.status_code}）：服务器需关闭二次验证，见 SERVER_SETTINGS")
    try:
        yield client
    finally:
        client.close()


def _staff(base: str, plan: Plan, rng: random.Random) -> None:
    """Signs in every department's clerk and officer; their lists, case pages and the cases they may act on."""
    with _login(base, "admin") as admin:
        rows = admin.get("/api/v1/users", params={"staff": "true"}).json()
    names = sorted(u["username"] for u in rows if re.fullmatch(r"(clerk|officer)_d\w+", u["username"]))
    planned: set[int] = set()
    for username in names:
        with _login(base, username) as client:
            token = _csrf(client.get("/admin/cases").text)
            cookie = _cookie(client)  # after the page: the session cookie now carries the CSRF token too
            headers = {"Cookie": cookie}
            plan.requests["staff_list"] += [
                _get("GET", "/admin/cases", headers=headers),
                _get("GET", "/admin/cases?status=processing", headers=headers),
                _get("GET", "/admin/cases?page=2", headers=headers),
            ]
            for status in ("submitted", "processing"):
                page = client.get("/api/v1/cases", params={"status": status, "page_size": 100}).json()
                for case in page.get("items", []):
                    plan.requests["staff_case"].append(_get("GET", f"/admin/cases/{case['id']}", headers=headers))
                    action = {"submitted": "accept"}.get(status) or {"审查": "review", "决定": "decide"}.get(
                        case["current_step_label"]
                    )
                    role_fits = (action == "accept") == username.startswith("clerk_")
                    if action and action != "accept" and role_fits and case["id"] not in planned:
                        # not a 联办件: once accepted (by an earlier run) it waits for its joint departments, and
                        # the lead's review is refused (403) although allowed_actions lists it
                        role_fits = client.get(f"/api/v1/cases/{case['id']}").json().get("case_type") != 3
                    if action and role_fits and case["id"] not in planned:  # a 联办件 is in several lists
                        planned.add(case["id"])
                        body = f"csrf_token={token}&opinion=%E5%90%8C%E6%84%8F&agree=1"
                        form = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
                        plan.actions.append(
                            _get("POST", f"/admin/cases/{case['id']}/{action}", headers=form, body=body)
                        )
    rng.shuffle(plan.actions)
    plan.notes.append(
        f"工作人员 {len(names)} 人登录；可办理的办件 {len(plan.actions)} 件（每件只办一次，用完后改看办件页）"
    )


def _citizen_applications(base: str, guides: list[int], plan: Plan) -> list[dict[str, Any]]:
    """The demo citizen's API token and one upload per required material of a few online items: each request
    files a new application (JSON, the materials given as those uploads)."""
    with httpx.Client(base_url=base, timeout=60) as client:
        answer = client.post("/api/v1/auth/token", json={"username": "13800000000", "password": DEMO_PASSWORD})
        if answer.status_code != 200:
            plan.notes.append(f"群众登录失败（{answer.status_code}），不含网上申报")
            return []
        auth = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        bodies: list[dict[str, Any]] = []
        for item_id in guides:
            guide = client.get(f"/api/v1/items/{item_id}", headers=auth)
            if guide.status_code != 200 or not guide.json().get("is_online"):
                continue
            materials = []
            for material in guide.json().get("materials", []):
                if material.get("required"):
                    up = client.post(
                        "/api/v1/uploads", headers=auth, files={"file": ("材料.pdf", pdf, "application/pdf")}
                    )
                    up.raise_for_status()
                    materials.append({"item_material_id": material["id"], "upload_id": up.json()["id"]})
            applicant = {
                "kind": "personal",
                "name": "李明",
                "id_number": _id_number("32058319900101123"),
                "phone": "13800000000",
            }
            body = {"service_item_id": item_id, "applicant": applicant, "materials": materials}
            headers = {**auth, "Content-Type": "application/json"}
            bodies.append(_get("POST", "/api/v1/cases", headers=headers, body=json.dumps(body, ensure_ascii=False)))
            if len(bodies) >= 5:
                break
    return bodies


def _id_number(first17: str) -> str:
    """A resident ID number with its check character (GB 11643), as the application form checks it."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def _webchat(base: str, rng: random.Random) -> list[dict[str, Any]]:
    """Web chat visitors: a session each (cookie and CSRF token as the chat panel gets them), a first message sent here so the
    cookie carries the visitor's conversation."""
    out = []
    for n in range(50):
        with httpx.Client(base_url=base, timeout=60) as client:
            client.get("/knowledge")  # the page, then what its chat panel asks for before the first post
            token = client.get("/channels/webchat/token").json()["csrf_token"]
            headers = {"X-CSRF-Token": token, "Content-Type": "application/json"}
            client.post("/channels/webchat/messages", headers=headers, json={"text": "你好", "client_id": f"s{n}"})
            headers["Cookie"] = _cookie(client)
            for word in CHAT_WORDS:
                body = json.dumps({"text": word}, ensure_ascii=False)
                out.append(_get("POST", "/channels/webchat/messages", headers=headers, body=body))
    rng.shuffle(out)
    return out


def _wechat(rng: random.Random) -> list[dict[str, Any]]:
    """WeChat callbacks signed as WeChat signs them (SHA-1 over token, timestamp and nonce); the message id is
    replaced per request in the Lua script (``{MSGID}``), as WeChat's ids differ per message."""
    out = []
    for n in range(200):
        timestamp, nonce = str(int(time.time())), f"{rng.randrange(10**9)}"
        signature = hashlib.sha1("".join(sorted([WECHAT_TOKEN, timestamp, nonce])).encode()).hexdigest()
        query = f"signature={signature}&timestamp={timestamp}&nonce={nonce}&openid=bench{n}"
        xml = (
            f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[bench{n}]]></FromUserName>"
            f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{rng.choice(CHAT_WORDS)}]]></Content><MsgId>{{MSGID}}</MsgId></xml>"
        )
        out.append(_get("POST", f"/channels/wechat?{query}", headers={"Content-Type": "text/xml"}, body=xml))
    return out
