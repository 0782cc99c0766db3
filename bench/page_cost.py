"""Benchmark: what one request of each public and staff page costs the app, in CPU milliseconds, with 100,000
cases (bench/seed_cases.py). The app runs in this process (Starlette's test client, no network), so the figure is
the app's own work — routing, queries, rendering — and stays comparable on a machine other jobs share, where
wall-clock throughput (bench/load.py --endpoints, wrk) swings with the neighbours. 1000 / ms is the requests a
second one core could serve of that page alone.

    .venv/bin/python bench/page_cost.py --db sqlite                         (fresh database, seeds 100,000 cases)
    .venv/bin/python bench/page_cost.py --database-url sqlite:////tmp/b.db  --codes codes.csv  (seeded before)
"""

import argparse
import csv
import os
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import DATABASES, bench_environment

PAGES = [
    ("/healthz", "GET", "/healthz"),
    ("/", "GET", "/"),
    ("/guides", "GET", "/guides"),
    ("/guides/{id}", "GET", "/guides/{guide}"),
    ("/knowledge/faqs/{id}", "GET", "/knowledge/faqs/{faq}"),
    ("/knowledge/laws/{id}", "GET", "/knowledge/laws/{law}"),
    ("/knowledge/policies/{id}", "GET", "/knowledge/policies/{policy}"),
    ("/api/v1/knowledge/search", "GET", "/api/v1/knowledge/search?q=开餐馆"),
    ("/statistics", "GET", "/statistics"),
    ("/publicity", "GET", "/publicity"),
    ("/publicity?department_id", "GET", "/publicity?department_id={department}"),
    ("POST /api/v1/progress", "POST", "/api/v1/progress"),
    ("/admin/cases (staff)", "GET", "/admin/cases"),
    ("/admin/cases/{id} (staff)", "GET", "/admin/cases/{case}"),
]


def measure(repeat: int, codes: list[tuple[str, str]]) -> list[tuple[str, float, float]]:
    """(page, CPU ms per request, wall ms per request) for every page, after a warm-up of each."""
    from starlette.testclient import TestClient

    from tongban.asgi import create_app

    app = create_app()
    figures = []
    with TestClient(app) as anon, TestClient(app) as staff:
        ids = {
            "guide": re.findall(r'href="/guides/(\d+)"', anon.get("/guides").text)[0],
            "faq": re.findall(r'href="/knowledge/faqs/(\d+)"', anon.get("/knowledge/faqs").text)[0],
            "law": re.findall(r'href="/knowledge/laws/(\d+)"', anon.get("/knowledge/laws").text)[0],
            "policy": re.findall(r'href="/knowledge/policies/(\d+)"', anon.get("/knowledge/policies").text)[0],
            "department": re.findall(r'<option value="(\d+)"', anon.get("/publicity").text)[0],
        }
        token = re.findall(r'name="csrf_token" value="([^"]+)"', staff.get("/login").text)[0]
        login = {"username": "clerk_d02", "password": "Demo@2026tb", "csrf_token": token, "next": ""}
        assert staff.post("/login", data=login, follow_redirects=False).status_code == 303, "登录失败"
        ids["case"] = re.findall(r'href="/admin/cases/(\d+)"', staff.get("/admin/cases").text)[0]
        for label, method, template in PAGES:
            client = staff if "(staff)" in label else anon
            path = template.format(**ids)

            def once(n: int, client: Any = client, method: str = method, path: str = path, label: str = label) -> None:
                if method == "POST":
                    case_no, code = codes[n % len(codes)]
                    answer = client.post(path, json={"case_no": case_no, "query_code": code})
                else:
                    answer = client.get(path)
                assert answer.status_code == 200, f"{label}: {answer.status_code} {answer.text[:200]}"

            for n in range(3):
                once(n)
            cpu, wall = [], []
            for n in range(repeat):
                began_cpu, began = time.process_time(), time.perf_counter()
                once(n)
                cpu.append((time.process_time() - began_cpu) * 1000)
                wall.append((time.perf_counter() - began) * 1000)
            figures.append((label, statistics.median(cpu), statistics.median(wall)))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=DATABASES, default="sqlite")
    parser.add_argument("--database-url", help="一个已用 bench/seed_cases.py 填好的数据库（不再重新生成）")
    parser.add_argument("--codes", type=Path, help="与 --database-url 同时给出：seed_cases.py 写出的查询密码样本")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    rates = {"TONGBAN_PROGRESS_QUERY_RATE": "1000000/minute", "TONGBAN_PROGRESS_CASE_RATE": "1000000/hour"}
    rates |= {"TONGBAN_PROGRESS_ADDRESS_CASE_RATE": "1000000/hour", "TONGBAN_REQUIRE_TWO_FACTOR": "false"}
    with bench_environment(args.db, "pages", **rates):
        import seed_cases

        codes_file = Path(tempfile.mkdtemp(prefix="tongban-codes-")) / "codes.csv"
        if args.database_url:
            os.environ["TONGBAN_DATABASE_URL"] = args.database_url
            codes_file = args.codes
        else:
            seed_cases.seed(args.cases, codes_file=codes_file, sample=500)
        codes = [(a, b) for a, b in csv.reader(codes_file.open())]
        figures = measure(args.repeat, codes)
        used = os.environ["TONGBAN_DATABASE_URL"].split(":")[0]  # --database-url's, with its driver (mysql+mysqldb)
        print(f"\n每次请求的应用开销（{used}，中位数，{args.repeat} 次）")
        print(f"{'page':<30}{'CPU ms':>9}{'wall ms':>9}{'req/s/core':>12}")
        for label, cpu, wall in figures:
            print(f"{label:<30}{cpu:>9.1f}{wall:>9.1f}{1000 / max(cpu, 0.01):>12.0f}")


if __name__ == "__main__":
    main()
