"""End to end through the real pieces: the app (`tongban serve`), the Rasa server and the action server
(`scripts/bot.sh run`: bot/.venv and the trained model), a fresh SQLite database with the demo data, and a
fake WeChat API on 127.0.0.1. Every message arrives as WeChat sends it in safe mode, signed and encrypted
with the official sample account's keys, and every passive reply is decrypted as WeChat would.

The test command runs this after the bot's own tests (it needs bot/.venv and the model); a plain `pytest`
skips it unless TONGBAN_E2E_BOT=1.
"""

import hashlib
import itertools
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto

from channels.texts import RELAYED_TO_STAFF
from core.seed.demo import DEMO_PASSWORD
from tests.channels.conftest import FakeWeChat
from tests.processes import free_port, spawn, stop

pytestmark = pytest.mark.skipif(
    os.environ.get("TONGBAN_E2E_BOT") != "1",
    reason="needs the trained bot and its venv: scripts/test.sh runs it with TONGBAN_E2E_BOT=1",
)

ROOT = Path(__file__).resolve().parents[2]
TOKEN, AES_KEY, APP_ID = "spamtest", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx2c2769f8efd9abc2"
ACCOUNT = "gh_10f6c3c3ac5a"
_msg_ids = itertools.count(int(time.time()) * 1000)


def _wait(url: str, seconds: float, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not come up; log:\n{log.read_text(errors='replace')[-3000:]}")


@dataclass
class Platform:
    """The running pieces and what the test needs to talk to them."""

    base: str
    wechat: FakeWeChat
    env: dict[str, str]
    rasa: str = ""  # the Rasa server's HTTP API
    rasa_token: str = ""

    def cli(self, *args: str) -> str:
        """Runs `tongban ...` against the platform's database and returns its output."""
        tongban = str(Path(sys.executable).with_name("tongban"))
        done = subprocess.run([tongban, *args], env=self.env, cwd=ROOT, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    work = tmp_path_factory.mktemp("e2e-bot")
    wechat = FakeWeChat()
    app_port, rasa_port, actions_port = free_port(), free_port(), free_port()
    base = f"http://127.0.0.1:{app_port}"
    # Nothing of the outer environment's settings, but the test run's own variables (TONGBAN_TEST_RUN marks
    # every process the test command starts, so that it can check none is left behind).
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_") or k.startswith("TONGBAN_TEST_")}
    env |= {
        "TONGBAN_SECRET_KEY": "e2e-secret-key-0123456789abcdef0123456789",
        "TONGBAN_DATA_DIR": str(work),
        "TONGBAN_DATABASE_URL": f"sqlite:///{work}/tongban.db",
        "TONGBAN_BASE_URL": base,
        "TONGBAN_SCHEDULER_ENABLED": "false",
        "TONGBAN_RASA_URL": f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
        "TONGBAN_WECHAT_TOKEN": TOKEN,
        "TONGBAN_WECHAT_ENCODING_AES_KEY": AES_KEY,
        "TONGBAN_WECHAT_APP_ID": APP_ID,
        "TONGBAN_WECHAT_APP_SECRET": "e2e-secret",
        "TONGBAN_WECHAT_API_BASE_URL": wechat.base,
    }
    made = Platform(base, wechat, env, f"http://127.0.0.1:{rasa_port}", "e2e-rasa-api-token")
    made.cli("migrate")
    made.cli("seed", "--cases", "10")
    bot_token = made.cli("issue-token", "bot", "--name", "e2e", "--hours", "2").strip().splitlines()[-1]
    app_log = work / "app.log"
    with app_log.open("wb") as out:
        app = spawn(
            [str(Path(sys.executable).with_name("tongban")), "serve", "--port", str(app_port)], env=env, output=out
        )
    bot_env = env | {
        "TONGBAN_RASA_PORT": str(rasa_port),
        "TONGBAN_ACTIONS_PORT": str(actions_port),
        "TONGBAN_BOT_RUN_DIR": str(work / "bot"),
        "TONGBAN_BOT_TRACKER_DB": str(work / "bot-tracker.db"),
        "TONGBAN_API_URL": f"{base}/api/v1",
        "TONGBAN_PUBLIC_URL": base,
        "TONGBAN_BOT_TOKEN": bot_token,
        "TONGBAN_RASA_TOKEN": made.rasa_token,  # guards Rasa's HTTP API (the tracker read below)
    }
    try:
        _wait(f"{base}/healthz", 60, app, app_log)
        started = subprocess.run(["bash", "scripts/bot.sh", "run"], cwd=ROOT, env=bot_env, check=False)
        assert started.returncode == 0, "the bot did not start (see the output above)"
        yield made
    finally:
        subprocess.run(["bash", "scripts/bot.sh", "stop"], cwd=ROOT, env=bot_env, check=False)
        stop(app)
        wechat.close()
        if os.environ.get("TONGBAN_E2E_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- WeChat as it speaks


def _signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def say(platform: Platform, openid: str, text: str, answered: bool = True) -> str:
    """Sends an encrypted text message and returns what the user then reads: the decrypted passive reply, or,
    when the bot took longer than WeChat's reply window (a loaded machine), the customer-service messages
    that follow. With ``answered=False`` no answer is expected and '' comes back at once on `success`."""
    before = len(platform.wechat.texts(openid))
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    timestamp, nonce, msg_id = str(int(time.time())), str(next(_msg_ids) % 1_000_000_000), next(_msg_ids)
    xml = (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )
    envelope = xmltodict.parse(crypto.encrypt_message(xml, nonce, timestamp))["xml"]
    params = {
        "signature": _signature(TOKEN, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": openid,
        "encrypt_type": "aes",
        "msg_signature": envelope["MsgSignature"],
    }
    body = (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
    )
    response = httpx.post(f"{platform.base}/channels/wechat", params=params, content=body, timeout=30)
    assert response.status_code == 200, response.text
    if response.text in ("", "success"):
        return _followed_up(platform, openid, before) if answered else ""
    assert "<Encrypt>" in response.text, "a passive reply in safe mode must be encrypted"
    outer = xmltodict.parse(response.text)["xml"]
    reply = xmltodict.parse(
        crypto.decrypt_message(response.text, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
    )["xml"]
    assert reply["ToUserName"] == openid and reply["FromUserName"] == ACCOUNT
    return str(reply["Content"])


def _followed_up(platform: Platform, openid: str, before: int) -> str:
    """The customer-service messages to ``openid`` after the first ``before``, once they stop coming."""
    deadline = time.monotonic() + 90
    while len(platform.wechat.texts(openid)) == before:
        assert time.monotonic() < deadline, "no answer reached WeChat in 90 s"
        time.sleep(0.1)
    settled = -1
    while settled != len(platform.wechat.texts(openid)):  # a long answer comes in parts
        settled = len(platform.wechat.texts(openid))
        time.sleep(1)
    return "\n".join(platform.wechat.texts(openid)[before:])


def new_case(platform: Platform) -> tuple[str, str, str]:
    """Registers a case at the window (as the demo admin) and returns its number, query password and item."""
    script = """
from sqlalchemy import select
from tongban.cli import CLI_ACTOR
from core.audit.context import acting
from core.cases import service
from core.cases.schemas import ApplicantIn, MaterialIn, SubmitIn
from core.db import session_scope
from core.items.models import ServiceItem
from core.org import service as org_service
with session_scope() as db, acting(CLI_ACTOR):
    admin = org_service.get_user_by_login(db=db, login="admin")
    item = db.scalars(select(ServiceItem).where(ServiceItem.materials.any()).order_by(ServiceItem.id)).first()
    data = SubmitIn(
        service_item_id=item.id,
        applicant=ApplicantIn(kind="personal", name="孙市民", id_number="11010519491231002X", phone="13800000001"),
        materials=[MaterialIn(item_material_id=m.id, paper=True) for m in item.materials],
    )
    new = service.register_at_window(db, admin, data)
    print(new.case.case_no, new.query_code, item.name)
"""
    tongban_python = str(Path(sys.executable))
    done = subprocess.run(
        [tongban_python, "-c", script], env=platform.env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    case_no, code, item = done.stdout.split()[-3:]
    return case_no, code, item


def stored_in_the_app(platform: Platform) -> str:
    """Every stored conversation message and audit record of the platform's database, as one text."""
    path = platform.env["TONGBAN_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        messages = db.execute("SELECT text, payload FROM conversation_message").fetchall()
        audit = db.execute("SELECT * FROM audit_log").fetchall()
    return repr([messages, audit])


# ---------------------------------------------------------------- the conversations


def test_progress_needs_the_password_and_comes_back_encrypted(platform: Platform) -> None:
    case_no, code, item = new_case(platform)
    asked = say(platform, "o_e2e_progress", f"帮我查一下{case_no}的进度")
    assert "密码" in asked and item not in asked  # nothing about the case before the password
    answer = say(platform, "o_e2e_progress", code)
    assert case_no in answer and item in answer and "待受理" in answer, answer
    # The password is kept neither in the app's transcript (nor its audit) nor in the bot's saved conversation.
    assert code not in stored_in_the_app(platform)
    tracker = httpx.get(
        f"{platform.rasa}/conversations/wechat:o_e2e_progress/tracker",
        params={"include_events": "ALL", "token": platform.rasa_token},
        timeout=30,
    )
    assert tracker.status_code == 200, tracker.text
    assert case_no in tracker.text and code not in tracker.text
    assert "server" not in httpx.get(f"{platform.base}/healthz", timeout=30).headers  # `tongban serve` names no server

    # A wrong password and an unknown number get the same answer, and neither reveals anything.
    say(platform, "o_e2e_guess", f"查一下{case_no}的进度")
    wrong = say(platform, "o_e2e_guess", "000000")
    say(platform, "o_e2e_guess2", "查一下KF202601019999的进度")
    unknown = say(platform, "o_e2e_guess2", "000000")
    assert item not in wrong and wrong.replace(case_no, "X") == unknown.replace("KF202601019999", "X"), (wrong, unknown)


ANSWERS = [  # what a filer answers, by what the bot asks
    ("项目名称", "恒创智能装备产业园一期"),
    ("由谁投资", "企业投资"),
    ("核准的投资项目目录", "否"),
    ("属于哪一类", "工业项目"),
    ("新增建设用地", "是"),
    ("什么方式供应", "出让"),
    ("总投资", "五千万"),
    ("总建筑面积", "两万平方米"),
    ("民用建筑", "否"),
    ("地下室", "否"),
    ("吨标准煤", "800吨标煤"),
    ("用电量", "300万千瓦时"),
    ("吨煤炭", "不烧煤"),
    ("哪个行业", "通用及专用设备制造"),
    ("排水管网", "是"),
    ("挖掘城市道路", "否"),
    ("城市桥梁", "否"),
    ("城市树木", "否"),
    ("城市绿地", "否"),
    ("户外广告", "是"),
    ("企业）的全称", "苏州恒创智能装备有限公司"),
    ("信用代码", "91320500MA1XXXXX0J"),
    ("建设地点", "经济开发区创新大道18号"),
    ("联系人怎么称呼", "王工"),
    ("电话", "13912345678"),
]


def test_intake_reaches_a_derived_flow_and_a_working_pdf(platform: Platform) -> None:
    reply = say(platform, "o_e2e_intake", "我要报建")
    asked: list[str] = []
    wrong_code = ""
    for _ in range(40):
        if "指导意见书（" in reply:
            break
        answer = next((a for key, a in ANSWERS if key in reply), None)
        assert answer is not None, f"the bot asked something unexpected: {reply}"
        if "信用代码" in reply and not wrong_code:
            wrong_code = say(platform, "o_e2e_intake", "91320500MA1XXXXX0A")  # one wrong check digit
        asked.append(answer)
        reply = say(platform, "o_e2e_intake", answer)
    assert "指导意见书（" in reply, reply
    assert "统一社会信用代码校验位不正确" in wrong_code  # re-asked with the reason, not guessed
    assert "企业投资项目备案" in reply and "建设工程规划许可证" in reply, reply
    assert asked.count("是") + asked.count("否") >= 8  # yes/no questions asked one at a time
    link = re.search(r"https?://\S+/letters/\S+?\.pdf|https?://\S+/pdf", reply)
    assert link, reply
    pdf = httpx.get(link.group(0), timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), link.group(0)


def test_handoff_reaches_the_staff_queue_and_the_answer_reaches_wechat(platform: Platform) -> None:
    openid = "o_e2e_handoff"
    queued = say(platform, openid, "转人工")
    assert "人工" in queued, queued
    # The hand-off desk (导办) takes conversations that concern no department's case yet.
    with httpx.Client(base_url=platform.base, timeout=30, follow_redirects=True) as staff:
        login = staff.get("/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login)
        assert csrf
        done = staff.post("/login", data={"csrf_token": csrf.group(1), "username": "desk", "password": DEMO_PASSWORD})
        assert "退出" in done.text or "工作台" in done.text
        queue = staff.get("/admin/conversations").text
        found = re.search(r'href="/admin/conversations/(\d+)"', queue)
        assert found, queue[-2000:]
        page = f"/admin/conversations/{found.group(1)}"
        detail = staff.get(page).text
        assert "转人工" in detail  # the conversation so far came with it
        token = re.search(r'name="csrf_token" value="([^"]+)"', detail)
        assert token
        staff.post(f"{page}/take", data={"csrf_token": token.group(1)})
        token = re.search(r'name="csrf_token" value="([^"]+)"', staff.get(page).text)
        assert token
        staff.post(f"{page}/reply", data={"csrf_token": token.group(1), "text": "您好，我是窗口工作人员小王"})
    deadline = time.monotonic() + 60
    while not any("小王" in t for t in platform.wechat.texts(openid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert any("小王" in t for t in platform.wechat.texts(openid)), platform.wechat.texts(openid)
    # While the person has the conversation the bot keeps quiet, now and later; the person hears once that the
    # message reached the staff member.
    before = len(platform.wechat.texts(openid))
    assert say(platform, openid, "施工许可证要什么材料") == RELAYED_TO_STAFF
    assert say(platform, openid, "今天天气怎么样", answered=False) == ""
    time.sleep(5)
    assert platform.wechat.texts(openid)[before:] == []
