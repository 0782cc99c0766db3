"""Benchmark: does a bot turn get slower as a conversation gets longer?

A few people keep writing to the bot through the web chat, the way its panel does (the page, the CSRF token,
then each message posted with ``after`` = the last message the panel shows), one turn after the other's answer,
for ``--turns`` turns each. Prints the median and slowest turn per block of ``--block`` turns: flat when a turn
costs the same at the hundredth message as at the first, rising when something replays the whole conversation
(Rasa loads and replays every event of the session and sends them all to the actions; bot/tracker_store.py starts
a new session after a long one).

Against the cluster (scripts/cluster.sh), through nginx::

    .venv/bin/python bench/bot_long_conversation.py --base-url http://127.0.0.1:18800 --people 4 --turns 150
"""

import argparse
import statistics
import sys
import threading
import time

import httpx
from load_plan import CHAT_WORDS


def converse(base: str, turns: int, took: list[list[float]], index: int) -> None:
    """One person's conversation; ``took[index]`` gets each turn's seconds."""
    with httpx.Client(base_url=base, timeout=120) as client:
        client.get("/knowledge")
        token = client.get("/channels/webchat/token").json()["csrf_token"]
        after = 0
        for n in range(turns):
            began = time.perf_counter()
            answer = client.post(
                "/channels/webchat/messages",
                headers={"X-CSRF-Token": token},
                json={"text": CHAT_WORDS[n % len(CHAT_WORDS)], "client_id": f"long{index}-{n}", "after": after},
            )
            took[index].append(time.perf_counter() - began)
            answer.raise_for_status()
            shown = answer.json()["messages"]
            after = shown[-1]["id"] if shown else after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:18800")
    parser.add_argument("--people", type=int, default=4)
    parser.add_argument("--turns", type=int, default=150)
    parser.add_argument("--block", type=int, default=25)
    args = parser.parse_args()

    took: list[list[float]] = [[] for _ in range(args.people)]
    people = [threading.Thread(target=converse, args=(args.base_url, args.turns, took, i)) for i in range(args.people)]
    for person in people:
        person.start()
    for person in people:
        person.join()
    if any(len(t) < args.turns for t in took):
        sys.exit("有对话未完成（见上方错误）")
    print(f"{args.people} 人各连续发送 {args.turns} 条消息（网页咨询，逐条等回答）：")
    print("  第几条      中位数     最慢")
    for start in range(0, args.turns, args.block):
        block = [s for t in took for s in t[start : start + args.block]]
        print(
            f"  {start + 1:>3}–{start + len(block) // args.people:<3}  {statistics.median(block) * 1000:7.0f} ms"
            f"  {max(block) * 1000:7.0f} ms"
        )


if __name__ == "__main__":
    main()
