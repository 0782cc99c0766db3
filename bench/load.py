"""Load generator: simulated people with think time, stepped up until the platform no longer answers within
p95 ≤ 300 ms without errors; and a per-endpoint throughput table. wrk (C, epoll, one Lua state per thread) sends
the requests, so the generator takes a sliver of the CPU the server needs on a shared machine.

    .venv/bin/python bench/load.py --serve --db-url sqlite:////tmp/bench.db --codes codes.csv     (embedded default)
    .venv/bin/python bench/load.py --base-url http://127.0.0.1:8080 --codes codes.csv               (a cluster)
    .venv/bin/python bench/load.py --serve ... --endpoints                  (req/s per endpoint, 10 connections)

Seed the database first (bench/seed_cases.py writes the ``--codes`` sample of case numbers and passwords).
``--serve`` starts ``tongban serve``'s app (one uvicorn process) on that database with the limits a load test
needs: no second factor for the demo staff, progress and chat limits opened (every simulated person comes from
127.0.0.1), a WeChat token to sign callbacks with. Against ``--base-url`` the server must be set up so (see
SERVER_SETTINGS).

A person is one wrk connection: before each request it thinks (exponential, mean ``--think`` seconds, 10 s by
default), so N people send about N/10 requests a second. The mix (MIX) is citizens' pages (home, guides,
knowledge search, FAQ/law/policy pages, publicity, statistics, progress queries with real numbers and passwords,
online applications through the API), staff signed in (case lists, case pages, accepting, reviewing and deciding
real cases, each once) and bot messages (web chat and the WeChat callback). Without a bot server (embedded
default, no TONGBAN_RASA_URL) the bot messages measure the app's answer path only: the gateway, the
conversation record and the fallback answer. Setup is done by this script with httpx before the clock starts.
"""

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from load_plan import WECHAT_TOKEN, Plan, _get, prepare
from procs import cpu

ROOT = Path(__file__).resolve().parents[1]
LUA = Path(__file__).with_name("load.lua")
SERVER_SETTINGS = {
    "TONGBAN_REQUIRE_TWO_FACTOR": "false",
    "TONGBAN_PROGRESS_QUERY_RATE": "100000000/minute",
    "TONGBAN_PROGRESS_CASE_RATE": "100000000/hour",
    "TONGBAN_PROGRESS_ADDRESS_CASE_RATE": "100000000/hour",
    "TONGBAN_LOGIN_RATE": "100000/minute",
    "TONGBAN_WEBCHAT_RATE": "100000/minute",
    "TONGBAN_WECHAT_TOKEN": WECHAT_TOKEN,
    "TONGBAN_SCHEDULER_ENABLED": "false",
}
MIX = {  # share of requests (per mille) by kind
    "home": 110,
    "guides": 60,
    "guide": 110,
    "search": 90,
    "faq": 60,
    "law": 30,
    "policy": 30,
    "publicity": 80,
    "statistics": 50,
    "progress": 80,
    "apply": 20,
    "staff_list": 70,
    "staff_case": 70,
    "staff_action": 30,
    "webchat": 25,
    "wechat": 15,
}


def _lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


def write_script(plan: Plan, path: Path, kinds: dict[str, int], think_ms: int, seed: int) -> None:
    """The wrk script: the requests of each kind as Lua tables, the mix and the think time."""
    lines = [f"THINK_MS = {think_ms}", f"SEED = {seed}", "KINDS = {}", "WEIGHTS = {}", "ACTIONS = {}"]

    def table(entries: list[dict[str, Any]]) -> str:
        rows = []
        for e in entries:
            headers = ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in e["headers"].items())
            rows.append(
                f"{{method = {_lua_string(e['method'])}, path = {_lua_string(e['path'])}, "
                f"headers = {{{headers}}}, body = {_lua_string(e['body'])}}}"
            )
        return "{\n" + ",\n".join(rows) + "\n}"

    for kind, weight in kinds.items():
        entries = plan.requests.get(kind) or []
        if kind == "staff_action":
            continue
        if not entries or weight <= 0:
            continue
        lines.append(f"KINDS[ {_lua_string(kind)} ] = {table(entries)}")
        lines.append(f"WEIGHTS[#WEIGHTS + 1] = {{{_lua_string(kind)}, {weight}}}")
    if kinds.get("staff_action") and plan.actions:
        lines.append(f"ACTIONS = {table(plan.actions)}")
        lines.append(f"WEIGHTS[#WEIGHTS + 1] = {{'staff_action', {kinds['staff_action']}}}")
    path.write_text("\n".join(lines) + "\n" + LUA.read_text(encoding="utf-8"), encoding="utf-8")


@dataclass
class Result:
    people: int
    requests: int
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int
    detail: str
    actions_used: int


def run_wrk(base: str, script: Path, connections: int, seconds: int, threads: int, used: int = 0) -> Result:
    """Runs wrk and reads the JSON line the script's ``done`` prints (``used``: staff actions sent by earlier
    runs, which this one does not send again)."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        base,
        "--",
        str(threads),
        str(used),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((x for x in out.stdout.splitlines() if x.startswith("{")), None)
    if line is None:
        raise SystemExit(f"wrk 未给出结果：{out.stdout}\n{out.stderr}")
    data = json.loads(line)
    errors = sum(data["errors"].values())
    detail = ", ".join(f"{k} {v}" for k, v in data["errors"].items() if v)
    odd = {code: n for code, n in data["statuses"].items() if not 200 <= int(code) < 400}
    if odd:
        detail += "; HTTP " + ", ".join(f"{code}×{n}" for code, n in sorted(odd.items()))
    return Result(
        connections,
        data["requests"],
        data["requests"] / (data["duration_us"] / 1e6),
        data["p50_us"] / 1000,
        data["p95_us"] / 1000,
        data["p99_us"] / 1000,
        errors,
        detail,
        max(used, data["actions_used"]),
    )


def ensure_wrk() -> None:
    """wrk from Debian, installed as scripts/lib.sh's ensure_apt installs packages (root or sudo, no prompts)."""
    if shutil.which("wrk"):
        return
    subprocess.run(["bash", "-c", f'source "{ROOT}/scripts/lib.sh" && ensure_apt wrk'], check=True)


def serve(db_url: str, port: int, workdir: Path) -> subprocess.Popen[bytes]:
    """The embedded default: one uvicorn process of the app on ``db_url`` (as ``tongban serve`` runs it)."""
    env = {**os.environ, **SERVER_SETTINGS, "TONGBAN_DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    env.setdefault("TONGBAN_SECRET_KEY", "bench-secret-key-0123456789abcdef0123456789")
    env.setdefault("TONGBAN_DATA_DIR", str(workdir))
    command = [sys.executable, "-m", "uvicorn", "tongban.asgi:create_app", "--factory", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-server-header", "--log-level", "warning", "--no-access-log"]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("服务未能启动")


ENDPOINTS = [  # the table: one endpoint alone, 10 connections (healthz 50), no think time
    ("/healthz (50 connections)", "home", "/healthz"),
    ("/", "home", None),
    ("/api/v1/knowledge/search", "search", "/api/v1/knowledge/search?q=开餐馆"),
    ("/guides/{id}", "guide", None),
    ("/knowledge/faqs/{id}", "faq", None),
    ("/statistics", "statistics", None),
    ("/publicity", "publicity", None),
    ("POST /api/v1/progress", "progress", None),
    ("/admin/cases (staff)", "staff_list", None),
    ("/admin/cases/{id} (staff)", "staff_case", None),
]


def endpoints(base: str, plan: Plan, seconds: int, workdir: Path) -> None:
    """Each endpoint alone at 10 connections without think time: requests a second."""
    print(f"\n{'endpoint alone, 10 connections':<34}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
    for label, kind, path in ENDPOINTS:
        entries = [_get("GET", path)] if path else plan.requests.get(kind, [])
        if label.startswith("/publicity") or label.startswith("/statistics"):
            entries = entries[:1]  # the plain page, as the issue measured it
        if not entries:
            print(f"{label:<34}{'—':>8}")
            continue
        script = workdir / f"endpoint-{kind}.lua"
        write_script(Plan(requests={kind: entries}), script, {kind: 1}, 0, 1)
        connections = 50 if "healthz" in label else 10
        result = run_wrk(base, script, connections, seconds, 1)
        print(f"{label:<34}{result.rps:>8.0f}{result.p50:>9.1f}{result.p95:>9.1f}{result.errors:>8}")


def steps(
    base: str,
    plan: Plan,
    levels: list[int],
    seconds: int,
    think: float,
    workdir: Path,
    warmup: int,
    run_dir: Path | None = None,
) -> None:
    """People stepped up until p95 > 300 ms or an error; prints each step and the most held. With the cluster's
    ``run_dir``, also the CPU time each of its parts spent per request (where the milliseconds go, whatever else
    the machine runs) and the load average."""
    script = workdir / "people.lua"
    write_script(plan, script, MIX, int(think * 1000), 17)
    print(f"\n{'people':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}  (think {think:g} s)")
    used = 0
    if warmup:  # the first searches build the search index, the first pages fill the caches: not measured
        used = run_wrk(base, script, levels[0], warmup, 2).actions_used
    held = 0
    for people in levels:
        before = cpu(run_dir) if run_dir else {}
        result = run_wrk(base, script, people, seconds, 2, used)
        used = result.actions_used
        print(
            f"{people:>7}{result.rps:>8.1f}{result.p50:>9.1f}{result.p95:>9.1f}{result.p99:>9.1f}{result.errors:>8}"
            + f"  load {os.getloadavg()[0]:.1f}"
            + (f"  ({result.detail})" if result.detail else ""),
            flush=True,
        )
        if run_dir:
            after = cpu(run_dir)
            spent = {k: (after.get(k, 0.0) - v) * 1000 / max(result.requests, 1) for k, v in before.items()}
            print(
                f"{'':>7}CPU ms/req: total {sum(spent.values()):.1f} = "
                + ", ".join(f"{k} {v:.1f}" for k, v in sorted(spent.items(), key=lambda kv: -kv[1]) if v >= 0.05),
                flush=True,
            )
        if result.p95 > 300 or result.errors or result.requests == 0:  # none answered within wrk's 10 s: failed
            break
        held = people
    print(f"\n最多同时在线人数（p95 ≤ 300 ms、0 错误）：{held}")


def kinds(base: str, plan: Plan, repeat: int) -> None:
    """Each kind of request of the mix alone, one at a time (no concurrency): its server time (median, max), so
    that a slow step of the people's mix shows which kind it waits on. Staff actions are not sent (each case once)."""
    print(f"\n{'kind (one at a time)':<22}{'share':>7}{'median ms':>11}{'max ms':>9}{'status':>16}")
    rng = random.Random(5)
    with httpx.Client(base_url=base, timeout=30) as client:
        for kind, share in MIX.items():
            entries = plan.requests.get(kind) or []
            if not entries:
                continue
            took, statuses = [], set()
            for n in range(repeat):
                e = rng.choice(entries)
                body = e["body"].replace("{MSGID}", f"{time.time_ns()}{n}").encode() or None
                began = time.perf_counter()
                answer = client.request(e["method"], e["path"], headers=e["headers"], content=body)
                took.append((time.perf_counter() - began) * 1000)
                statuses.add(answer.status_code)
            took.sort()
            print(
                f"{kind:<22}{share / 10:>6.1f}%{took[len(took) // 2]:>11.1f}{took[-1]:>9.1f}"
                f"{','.join(map(str, sorted(statuses))):>16}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8765")
    parser.add_argument("--serve", action="store_true", help="启动嵌入式默认部署（一个 uvicorn 进程）")
    parser.add_argument("--db-url", help="--serve 使用的数据库（默认 TONGBAN_DATABASE_URL）")
    parser.add_argument("--codes", type=Path, required=True, help="bench/seed_cases.py --codes 写出的 CSV")
    parser.add_argument("--endpoints", action="store_true", help="逐个端点测吞吐（issue 的表格）")
    parser.add_argument("--cluster-dir", type=Path, help="scripts/cluster.sh 的目录：每级打印各进程每请求 CPU 毫秒")
    parser.add_argument("--kinds", type=int, default=0, help="逐类请求各发 N 次（一次一个）：各类的服务时间")
    parser.add_argument("--people", default="100,200,400,800,1200,1600,2400,3200,4800,6400,10000")
    parser.add_argument("--seconds", type=int, default=40, help="每一级的时长")
    parser.add_argument("--think", type=float, default=10.0)
    parser.add_argument("--warmup", type=int, default=20, help="开始测量前的预热秒数（第一级人数）")
    args = parser.parse_args()

    ensure_wrk()
    codes = [(row[0], row[1]) for row in csv.reader(args.codes.open())]
    workdir = Path(tempfile.mkdtemp(prefix="tongban-load-"))
    server = None
    try:
        if args.serve:
            db_url = args.db_url or os.environ.get("TONGBAN_DATABASE_URL")
            if not db_url:
                raise SystemExit("--serve 需要 --db-url 或 TONGBAN_DATABASE_URL")
            port = int(args.base_url.rsplit(":", 1)[1].split("/")[0])
            server = serve(db_url, port, workdir)
        plan = prepare(args.base_url, codes, random.Random(17))
        for note in plan.notes:
            print(f"[load] {note}")
        print("[load] " + "，".join(f"{k} {len(v)}" for k, v in plan.requests.items()))
        if args.kinds:
            kinds(args.base_url, plan, args.kinds)
        elif args.endpoints:
            endpoints(args.base_url, plan, args.seconds, workdir)
        else:
            levels = [int(x) for x in args.people.split(",")]
            run_dir = args.cluster_dir / "run" if args.cluster_dir else None
            steps(args.base_url, plan, levels, args.seconds, args.think, workdir, args.warmup, run_dir)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
