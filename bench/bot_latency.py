"""Benchmark: bot turns through the WeChat Official Account callback, 20 people writing at once.

Each simulated person sends a conversation of FAQ and progress turns (plain or safe mode), one turn after
the other's answer, with a fresh MsgId each. Between turns a person reads the answer and types the next
message: ``--think 2-5`` (seconds, uniform at random; the default) paces them like people on a phone, and
``--think 0`` sends at once, which measures the most the machine sustains rather than what people see. Prints, for FAQ and progress turns, p50/p95 of the time from
the callback being received to the reply being ready (the app's ``Server-Timing: callback`` header), the
round trip seen by the client, the messages per second sustained, and how many turns missed the reply
window (answered ``success``, delivered later as a customer-service message).

Against a running platform with the real Rasa (the run command's app, WeChat token configured)::

    .venv/bin/python bench/bot_latency.py --url http://127.0.0.1:8000 --token <TONGBAN_WECHAT_TOKEN> \
        [--aes-key <EncodingAESKey> --app-id <AppId>] [--progress KF2026...:123456 ...]

Without ``--url`` it starts the app itself on a fresh SQLite database with a fake Rasa that answers at once
(``--rasa-delay`` to slow it) and a fake WeChat API, which measures the channel layer alone.
"""

import argparse
import asyncio
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.processes import spawn, stop  # noqa: E402

PORT = 8767
RUN = int(time.time()) % 10_000_000_000  # MsgIds differ between runs, or the dedup answers from memory
FAQ_TURNS = [
    "施工许可证要什么材料",
    "户外广告审批多久",
    "占用城市道路要交费吗",
    "企业投资项目备案在哪里办",
    "什么是容缺受理",
    "公共场所卫生许可证需要哪些材料",
]
PROGRESS_TURNS = ["帮我查一下{case_no}的进度", "{query_code}"]


@dataclass
class Figures:
    """Latencies (ms) of one kind of turn."""

    server: list[float] = field(default_factory=list)
    client: list[float] = field(default_factory=list)
    late: int = 0
    errors: int = 0


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of the values lie."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(len(ordered) * share) - 1))] if ordered else float("nan")


def _signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


class Callback:
    """Builds signed (and, in safe mode, encrypted) callback requests as WeChat sends them."""

    def __init__(self, token: str, aes_key: str | None, app_id: str | None) -> None:
        self.token = token
        self.crypto = None
        if aes_key:
            from wechatpy.crypto import WeChatCrypto

            self.crypto = WeChatCrypto(token, aes_key, app_id or "")

    def request(self, openid: str, text: str, msg_id: int) -> tuple[dict[str, str], str]:
        """Query parameters and body of one text message."""
        timestamp, nonce = str(int(time.time())), str(msg_id % 1_000_000_000)
        xml = (
            f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>"
        )
        params = {"signature": _signature(self.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
        if self.crypto is None:
            return params, xml
        import xmltodict

        envelope = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        params |= {"encrypt_type": "aes", "msg_signature": envelope["MsgSignature"], "openid": openid}
        return params, f"<xml><Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"


async def person(
    number: int,
    client: httpx.AsyncClient,
    callback: Callback,
    turns: int,
    progress: list[tuple[str, str]],
    figures: dict[str, Figures],
    think: tuple[float, float] = (0.0, 0.0),
) -> int:
    """One person's conversation: alternating FAQ questions and progress queries (number, then password),
    with ``think`` seconds (at random between the two) before each message but the first."""
    openid = f"bench_openid_{number:03d}_{int(time.time())}"
    pace = random.Random(number)
    sent = 0
    for turn in range(turns):
        if turn % 3 == 2:
            case_no, query_code = progress[(number + turn) % len(progress)]
            texts, kind = [t.format(case_no=case_no, query_code=query_code) for t in PROGRESS_TURNS], "progress"
        else:
            texts, kind = [FAQ_TURNS[(number + turn) % len(FAQ_TURNS)]], "faq"
        for text in texts:
            if think[1] > 0:  # people do not all press send in the same millisecond either
                await asyncio.sleep(pace.uniform(*think) if sent else pace.uniform(0, think[1]))
            msg_id = 7_000_000_000_000_000_000 + RUN * 100_000_000 + number * 100_000 + sent  # fresh every run
            params, body = callback.request(openid, text, msg_id)
            began = time.perf_counter()
            response = await client.post("/channels/wechat", params=params, content=body)
            figures[kind].client.append((time.perf_counter() - began) * 1000)
            timing = response.headers.get("server-timing", "")
            if "dur=" in timing:
                figures[kind].server.append(float(timing.split("dur=")[1].split(",")[0]))
            if response.status_code != 200:
                figures[kind].errors += 1
            elif response.text == "success":
                figures[kind].late += 1
            sent += 1
    return sent


async def drive(
    base: str,
    callback: Callback,
    users: int,
    turns: int,
    progress: list[tuple[str, str]],
    think: tuple[float, float],
) -> None:
    """Runs the people at once and prints the figures (after one unmeasured warm-up turn each, so that
    connections, compiled statements and the bot's first-call costs are not counted)."""
    figures = {"faq": Figures(), "progress": Figures()}
    limits = httpx.Limits(max_connections=users)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        warm = {"faq": Figures(), "progress": Figures()}
        await asyncio.gather(*(person(1000 + n, client, callback, 1, progress, warm) for n in range(users)))
        began = time.perf_counter()
        counts = await asyncio.gather(
            *(person(n, client, callback, turns, progress, figures, think) for n in range(users))
        )
        elapsed = time.perf_counter() - began
    total = sum(counts)
    pacing = f"每条消息前思考 {think[0]:g}–{think[1]:g} 秒" if think[1] else "不停顿连续发送（饱和）"
    print(f"{users} 人同时对话（{pacing}），共 {total} 条消息，用时 {elapsed:.1f} 秒，{total / elapsed:.1f} 条/秒")
    print("类型        条数   回调受理→回复 p50 / p95 (ms)   客户端往返 p50 / p95 (ms)   超窗口  错误")
    for kind, label in (("faq", "咨询问答"), ("progress", "进度查询")):
        f = figures[kind]
        print(
            f"{label:<8} {len(f.client):>6}   {statistics.median(f.server) if f.server else float('nan'):>8.1f} / "
            f"{percentile(f.server, 0.95):>8.1f}            {statistics.median(f.client):>8.1f} / "
            f"{percentile(f.client, 0.95):>8.1f}         {f.late:>4}  {f.errors:>4}"
        )


# ---------------------------------------------------------------- self-contained mode


def fake_server(answer: Any, delay: float) -> ThreadingHTTPServer:
    """A JSON server on 127.0.0.1 for the fake Rasa and the fake WeChat API."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._reply({"access_token": "BENCH", "expires_in": 7200, "errcode": 0})

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if self.path.startswith("/webhooks/rest/webhook"):
                if delay:
                    time.sleep(delay)
                self._reply(answer(json.loads(body)))
            else:
                self._reply({"errcode": 0})

        def _reply(self, payload: Any) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def start_app(rasa_delay: float) -> tuple[subprocess.Popen[bytes], str, list[ThreadingHTTPServer]]:
    """The app on a fresh SQLite database beside a fake Rasa and a fake WeChat API."""
    fakes = [
        fake_server(
            lambda turn: [{"recipient_id": turn["sender"], "text": f"关于“{turn['message']}”：请见办事指南。"}],
            rasa_delay,
        ),
        fake_server(None, 0),
    ]
    workdir = Path(tempfile.mkdtemp(prefix="tongban-bench-"))
    env = dict(
        os.environ,
        TONGBAN_SECRET_KEY="bench-secret-key-0123456789abcdef0123456789",
        TONGBAN_DATA_DIR=str(workdir),
        TONGBAN_DATABASE_URL=f"sqlite:///{workdir}/bench.db",
        TONGBAN_SCHEDULER_ENABLED="false",
        TONGBAN_RASA_URL=f"http://127.0.0.1:{fakes[0].server_address[1]}/webhooks/rest/webhook",
        TONGBAN_WECHAT_TOKEN="benchtoken",
        TONGBAN_WECHAT_APP_ID="wxbench",
        TONGBAN_WECHAT_APP_SECRET="bench",
        TONGBAN_WECHAT_API_BASE_URL=f"http://127.0.0.1:{fakes[1].server_address[1]}",
        TONGBAN_WEBCHAT_RATE="100000/minute",
    )
    subprocess.run([sys.executable, "-c", "from core.migrate import upgrade; upgrade()"], cwd=ROOT, env=env, check=True)
    command = [sys.executable, "-m", "uvicorn", "tongban.asgi:create_app", "--factory", "--host", "127.0.0.1"]
    server = spawn([*command, "--no-server-header", "--port", str(PORT), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{PORT}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base, fakes
        except httpx.TransportError:
            time.sleep(0.1)
    stop(server)
    raise SystemExit("应用未能在 30 秒内启动")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running platform (default: start one with a fake Rasa)")
    parser.add_argument("--token", default=os.environ.get("TONGBAN_WECHAT_TOKEN", ""))
    parser.add_argument("--aes-key", default=os.environ.get("TONGBAN_WECHAT_ENCODING_AES_KEY") or None)
    parser.add_argument("--app-id", default=os.environ.get("TONGBAN_WECHAT_APP_ID") or None)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--turns", type=int, default=15, help="turns per person (every third a progress query)")
    parser.add_argument("--progress", action="append", default=[], metavar="CASE_NO:QUERY_CODE")
    parser.add_argument("--rasa-delay", type=float, default=0.0, help="seconds the fake Rasa takes per turn")
    parser.add_argument("--think", default="2-5", help="seconds a person takes between messages, MIN-MAX or 0")
    args = parser.parse_args()
    low, _, high = args.think.partition("-")
    think = (float(low), float(high or low))

    progress = [tuple(p.split(":", 1)) for p in args.progress] or [("KF202609180001", "123456")]
    server, fakes = None, []
    if args.url:
        if not args.token:
            raise SystemExit("请用 --token 给出公众号的 Token（TONGBAN_WECHAT_TOKEN）")
        base, callback = args.url.rstrip("/"), Callback(args.token, args.aes_key, args.app_id)
    else:
        server, base, fakes = start_app(args.rasa_delay)
        callback = Callback("benchtoken", None, None)
    try:
        asyncio.run(drive(base, callback, args.users, args.turns, progress, think))  # type: ignore[arg-type]
    finally:
        if server is not None:
            stop(server)
        for fake in fakes:
            fake.shutdown()


if __name__ == "__main__":
    main()
