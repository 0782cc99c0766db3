"""Benchmark: the bot's first answer, measured through a channel (issue 15).

Every question of the TEST split of tests/knowledge/colloquial_questions.json goes to the Rasa server's REST
channel as the first message of a fresh conversation (its own sender id), with the real action server calling
the real app. The bot's first answer is read as a person reads it: the guide it shows (“【事项】办事指南”), the
entry it quotes (“【标题】”), the first of the items it lists for opening a business, or the first of the three
choices it offers. The same question is also put to the search API (as the bot asks it), to know whether the
search answers it with confidence (``answered``).

Prints the share of questions whose first answer is about the right item or law (target ≥ 90 %), how many of
them came as three choices with the right one among them, the number of questions the search answers with
confidence that the bot declined as out of scope (target 0), and every miss.

Starts everything itself on free 127.0.0.1 ports (a fresh SQLite database with the demo data, `tongban serve`,
`scripts/bot.sh run` with bot/.venv and the trained model)::

    .venv/bin/python bench/bot_answers.py [--split test|dev|dev,test] [--limit N]

or measures running pieces::

    .venv/bin/python bench/bot_answers.py --rasa http://127.0.0.1:5005 --api http://127.0.0.1:8000/api/v1 \
        --token <bot service token>
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.processes import free_port, spawn, stop  # noqa: E402

QUESTIONS = ROOT / "tests/knowledge/colloquial_questions.json"
DECLINED = "不在我的服务范围内"
RUN = int(time.time())
_TITLE = re.compile(r"^【(.+?)】(办事指南)?$")
_LISTED = re.compile(r"^\d+\. (.+?)(?: https?://\S+)?$")
_LAW = re.compile(r"^《(.+?)》(第[^（(]+?条(?:之[一二三四五六七八九十]+)?)")


def labels_of(title: str, guide: bool) -> set[str]:
    """The labels (as in the question set) that an answer titled ``title`` is about."""
    if guide:
        return {f"item:{title}"}
    law = _LAW.match(title)
    if law:
        return {f"law:{law.group(1)}|{law.group(2)}"}
    return {f"{kind}:{title}" for kind in ("faq", "policy", "glossary", "item")}


@dataclass
class FirstAnswer:
    """What the bot's first answer is about."""

    how: str  # guide | answer | opening | choices | declined | not_found | other
    labels: set[str] = field(default_factory=set)  # of the first thing it presents
    offered: set[str] = field(default_factory=set)  # everything a choice or list offers
    text: str = ""


def read_answer(messages: list[dict[str, object]]) -> FirstAnswer:
    """The bot's reply to one message, as a person reads it."""
    text = "\n".join(str(m.get("text") or "") for m in messages if m.get("text"))
    first = text.splitlines()[0] if text else ""
    if DECLINED in text:
        return FirstAnswer("declined", text=text)
    title = _TITLE.match(first)
    if title:
        guide = bool(title.group(2))
        return FirstAnswer("guide" if guide else "answer", labels_of(title.group(1), guide), text=text)
    listed = [_LISTED.match(line) for line in text.splitlines()[1:]]
    titles = [m.group(1) for m in listed if m]
    if titles:
        how = "opening" if first.startswith("开办") else "choices"
        offered = set().union(*(labels_of(t, False) for t in titles))
        return FirstAnswer(how, labels_of(titles[0], False), offered, text)
    if "没有找到可靠的答案" in text:
        return FirstAnswer("not_found", text=text)
    return FirstAnswer("other", text=text)


def ask_bot(rasa: str, sender: str, question: str) -> list[dict[str, object]]:
    body = {"sender": sender, "message": question}
    response = httpx.post(f"{rasa}/webhooks/rest/webhook", json=body, timeout=120)
    response.raise_for_status()
    return list(response.json())


def ask_search(api: str, token: str, question: str) -> dict[str, Any]:
    params: dict[str, str | int] = {"q": question, "kind": "all", "limit": 3, "channel": "bot"}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.get(f"{api}/knowledge/search", params=params, headers=headers, timeout=30)
    response.raise_for_status()
    return dict(response.json())


def measure(rasa: str, api: str, token: str, split: str, limit: int | None) -> None:
    rows = [r for r in json.loads(QUESTIONS.read_text(encoding="utf-8")) if r.get("split") == split]
    rows = rows[:limit] if limit else rows
    right = choices_right = declined_confident = 0
    misses: list[str] = []
    hows: dict[str, int] = {}
    started = time.monotonic()
    for n, row in enumerate(rows):
        targets = {row["expect"], *row.get("alt", [])}
        answer = read_answer(ask_bot(rasa, f"rest:bench{RUN}x{n}", row["q"]))
        searched = ask_search(api, token, row["q"])
        hows[answer.how] = hows.get(answer.how, 0) + 1
        if answer.labels & targets:
            right += 1
            continue
        if answer.how == "declined" and searched.get("answered"):
            declined_confident += 1
        if answer.how in ("choices", "opening") and answer.offered & targets:
            choices_right += 1
        first = answer.text.splitlines()[0] if answer.text else "（没有回答）"
        found = " | ".join(str(h.get("title")) for h in searched.get("hits", []))
        misses.append(
            f"  {row['q']}\n      应为 {row['expect']}\n      机器人（{answer.how}）：{first[:80]}\n"
            f"      检索（answered={searched.get('answered')}, clear={searched.get('clear')}）：{found[:160]}"
        )
    total = len(rows)
    print(f"问题 {total} 条（{split} 集），每条一个新会话，经 Rasa REST 渠道，用时 {time.monotonic() - started:.0f} 秒")
    print(f"首个回答针对正确事项或法条：{right}/{total} = {right / total:.1%}（目标 ≥ 90%）")
    print(f"其余以三选一/事项清单给出、正确项在其中：{choices_right}")
    print(f"检索有把握回答、机器人却以“不在服务范围”拒答：{declined_confident}（目标 0）")
    print("首个回答的形式：" + "，".join(f"{k} {v}" for k, v in sorted(hows.items())))
    print(f"未答对的 {len(misses)} 条：")
    print("\n".join(misses))


def run_everything(split: str, limit: int | None) -> None:
    """A fresh platform (demo data) and bot on free ports, measured, then stopped."""
    work = Path(tempfile.mkdtemp(prefix="tongban-bot-answers-"))
    app_port, rasa_port, actions_port = free_port(), free_port(), free_port()
    base = f"http://127.0.0.1:{app_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
    env |= {
        "TONGBAN_SECRET_KEY": "bench-secret-key-0123456789abcdef0123456789",
        "TONGBAN_DATA_DIR": str(work),
        "TONGBAN_DATABASE_URL": f"sqlite:///{work}/tongban.db",
        "TONGBAN_BASE_URL": base,
        "TONGBAN_SCHEDULER_ENABLED": "false",
        "TONGBAN_RASA_URL": f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
        "PYTHONPATH": str(ROOT),
    }
    tongban = str(Path(sys.executable).with_name("tongban"))

    def cli(*args: str) -> str:
        done = subprocess.run([tongban, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
        return done.stdout

    cli("migrate")
    cli("seed", "--cases", "0")
    token = cli("issue-token", "bot", "--name", "bench", "--hours", "4").strip().splitlines()[-1]
    bot_env = env | {
        "TONGBAN_RASA_PORT": str(rasa_port),
        "TONGBAN_ACTIONS_PORT": str(actions_port),
        "TONGBAN_BOT_RUN_DIR": str(work / "bot"),
        "TONGBAN_BOT_TRACKER_DB": str(work / "bot-tracker.db"),
        "TONGBAN_API_URL": f"{base}/api/v1",
        "TONGBAN_PUBLIC_URL": base,
        "TONGBAN_BOT_TOKEN": token,
    }
    with (work / "app.log").open("wb") as out:
        app = spawn([tongban, "serve", "--port", str(app_port)], env=env, output=out)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or app.poll() is not None:
                raise SystemExit(f"应用没有启动，日志：{work / 'app.log'}")
            time.sleep(0.3)
        subprocess.run(["bash", "scripts/bot.sh", "run"], cwd=ROOT, env=bot_env, check=True)
        for part in split.split(","):
            measure(f"http://127.0.0.1:{rasa_port}", f"{base}/api/v1", token, part, limit)
    finally:
        subprocess.run(["bash", "scripts/bot.sh", "stop"], cwd=ROOT, env=bot_env, check=False)
        stop(app)
        if os.environ.get("TONGBAN_BENCH_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", help="test, dev, or both in turn: dev,test")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    parser.add_argument("--rasa", help="a running Rasa server (its base URL); with --api and --token")
    parser.add_argument("--api", help="the running app's /api/v1")
    parser.add_argument("--token", default="", help="the bot's service token")
    args = parser.parse_args()
    if args.rasa:
        for part in args.split.split(","):
            measure(args.rasa.rstrip("/"), args.api.rstrip("/"), args.token, part, args.limit)
    else:
        run_everything(args.split, args.limit)


if __name__ == "__main__":
    main()
