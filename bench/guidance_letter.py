"""Benchmark: one guidance letter end to end — derive the flow, then render the PDF (diagram, QR code, WeasyPrint).

Uses the seed rule set (``core.rules.seed.initial_document``) when it exists, else a synthetic document with 25
approvals. Prints the cold first run (imports, font loading, first Graphviz call) on its own, then median and p95
over N runs after one warm-up, twice: with the diagram cache warm (a letter re-printed for the same flow) and with
it cleared before every run (a letter for a new flow, which pays for one ``dot`` call). Wall time is the target;
CPU time (``dot`` included) is printed beside it because a busy machine inflates wall time. No database is needed.

    .venv/bin/python bench/guidance_letter.py [--runs 20]
"""

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.projects import diagram  # noqa: E402
from core.projects.letter_pdf import Confirmation, LetterContent, indicator_rows, render_letter_pdf  # noqa: E402
from core.rules.document import (  # noqa: E402
    STAGES,
    ApprovalDef,
    IntermediaryDef,
    MaterialChange,
    RuleDef,
    RuleSetDocument,
)
from core.rules.engine import DerivedFlow, derive  # noqa: E402

TARGET_SECONDS = 1.0

# A chemical plant on transferred land: most rules fire, some items are ruled out.
ANSWERS: dict[str, str | float | bool] = {
    "investor": "enterprise",
    "in_approval_catalogue": False,
    "project_type": "industrial",
    "new_land": True,
    "land_supply": "transfer",
    "total_investment": 1.2e8,
    "floor_area": 28000.0,
    "civil_building": False,
    "has_basement": True,
    "energy_tce": 1500.0,
    "electricity_kwh": 3.2e6,
    "coal_tonnes": 0.0,
    "industry": "chemical",
    "sewage_to_network": True,
    "digs_road": True,
    "bridge_pipeline": False,
    "moves_trees": True,
    "occupies_green_space": False,
    "outdoor_advertising": True,
}

# (condition, approvals it adds) for the synthetic document: a mix of always-on and conditional approvals.
_CONDITIONS = [
    ('investor == "enterprise"', 6),
    ('land_supply == "allocated"', 2),
    ("energy_tce >= 1000", 2),
    ('industry == "chemical"', 3),
    ("has_basement", 2),
    ("sewage_to_network", 2),
    ("digs_road", 2),
    ("moves_trees", 1),
    ("occupies_green_space", 1),
    ("outdoor_advertising", 1),
    ("floor_area > 20000", 3),
]


def synthetic_document(approvals: int = 25) -> RuleSetDocument:
    """A rule set of ``approvals`` approvals over the four stages, with materials, dependencies and intermediaries."""
    stages = list(STAGES)
    defs = [
        ApprovalDef(
            code=f"approval_{n:02d}",
            name=f"基准审批事项{n:02d}（含较长的事项名称）",
            stage=stages[n * len(stages) // approvals],
            department_code=f"d{n % 8}",
            time_limit_days=3 + n % 12,
            materials=[f"事项{n:02d}申请表", f"事项{n:02d}设计文件", f"事项{n:02d}承诺书"],
            depends_on=[f"approval_{n - k:02d}" for k in (2, 5) if n - k >= 0],
        )
        for n in range(approvals)
    ]
    intermediaries = [
        IntermediaryDef(code=f"service_{n}", name=f"基准中介服务{n}", serves=[f"approval_{3 * n + 1:02d}"])
        for n in range(6)
    ]
    rules: list[RuleDef] = []
    codes = iter(a.code for a in defs)
    for number, (condition, count) in enumerate(_CONDITIONS):
        added = [code for _, code in zip(range(count), codes, strict=False)]
        rules.append(
            RuleDef(
                code=f"rule_{number:02d}",
                name=f"基准规则{number:02d}",
                condition=condition,
                add_approvals=added,
                add_intermediaries=[f"service_{number}"] if number < len(intermediaries) else [],
                add_materials=[MaterialChange(approval=added[0], name=f"规则{number:02d}增加的材料")],
                reason=f"基准规则{number:02d}的理由：总投资{{total_investment}}",
                otherwise=f"基准规则{number:02d}不适用：总建筑面积{{floor_area}}",
                legal_basis=f"《基准条例》第{number + 1}条",
            )
        )
    return RuleSetDocument(approvals=defs, intermediaries=intermediaries, rules=rules)


def rule_set() -> tuple[str, RuleSetDocument]:
    """The seed rule set if another module provides it, else the synthetic one."""
    try:
        from core.rules.seed import initial_document
    except ImportError:
        return "synthetic, 25 approvals", synthetic_document()
    return "core.rules.seed.initial_document", initial_document()


def department_names() -> dict[str, str]:
    """The centre's department names from the seed data, read directly (no database)."""
    rows = json.loads((ROOT / "core/seed/data/departments.json").read_text(encoding="utf-8"))
    return {row["code"]: row["name"] for row in rows}


def content(flow: DerivedFlow) -> LetterContent:
    """A letter for one project with two department reviews."""
    return LetterContent(
        project_code="XM2025-000123",
        project_name="年产5万吨精细化学品项目",
        enterprise_name="示例新材料科技有限公司",
        credit_code="91320500MA1XXXXX0Q",
        location="XX经济开发区纬三路18号",
        contact_name="赵工",
        contact_phone_masked="138****5678",
        indicators=indicator_rows(flow.indicators),
        flow=flow,
        confirmations=[
            Confirmation("自然资源和规划局", "李明", datetime(2025, 12, 3, 10, 30), "同意。", ["增加材料：宗地图"]),
            Confirmation("生态环境分局", "王芳", datetime(2025, 12, 4, 15, 0), "同意。", []),
        ],
        letter_version=1,
        verification_code="K7Q2M9",
        verification_url="https://zwfw.example.gov.cn/letters/K7Q2M9",
        issued_at=datetime(2025, 12, 5, 9, 0),
    )


class Timing(NamedTuple):
    """One letter: wall seconds to derive and to render, CPU seconds for both (``dot`` included), PDF bytes."""

    derive: float
    render: float
    cpu: float
    size: int


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the ``dot`` calls): less sensitive to a busy machine."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def one_letter(document: RuleSetDocument, names: dict[str, str]) -> Timing:
    """Derives the flow and renders its letter, timing each."""
    cpu, began = cpu_seconds(), time.perf_counter()
    flow = derive(ANSWERS, document, version=1, department_names=names)
    derived = time.perf_counter()
    pdf = render_letter_pdf(content(flow))
    return Timing(derived - began, time.perf_counter() - derived, cpu_seconds() - cpu, len(pdf))


def series(runs: int, document: RuleSetDocument, names: dict[str, str], before: Callable[[], None]) -> list[Timing]:
    """``runs`` timed letters, ``before`` called (untimed) ahead of each."""
    out = []
    for _ in range(runs):
        before()
        out.append(one_letter(document, names))
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(len(ordered) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    source, document = rule_set()
    names = department_names()
    load = os.getloadavg()[0]
    cold = one_letter(document, names)
    flow = derive(ANSWERS, document, version=1, department_names=names)
    print(
        f"\n指导意见书基准（规则集：{source}；{len(flow.items())} 项审批、{len(flow.intermediaries)} 项中介服务、"
        f"{len(flow.ruled_out)} 项无需办理；PDF {cold.size / 1024:.0f} KB；"
        f"{os.cpu_count()} CPU，开始时 1 分钟负载 {load:.1f}）"
    )
    print(
        f"cold first run: derive {cold.derive * 1000:.1f} ms, render {cold.render * 1000:.0f} ms, "
        f"total {(cold.derive + cold.render) * 1000:.0f} ms (CPU {cold.cpu * 1000:.0f} ms)"
    )

    one_letter(document, names)  # warm-up
    cached = series(args.runs, document, names, lambda: None)
    uncached = series(args.runs, document, names, diagram._render.cache_clear)

    print(f"\n{args.runs} runs after one warm-up{'':<14}{'median ms':>11}{'p95 ms':>10}")
    for label, runs in (("diagram cached", cached), ("diagram drawn each run", uncached)):
        for part, values in (
            ("derive", [t.derive for t in runs]),
            ("render_letter_pdf", [t.render for t in runs]),
            ("total", [t.derive + t.render for t in runs]),
            ("total, CPU time", [t.cpu for t in runs]),
        ):
            print(f"{label + ' · ' + part:<47}{statistics.median(values) * 1000:>11.1f}{p95(values) * 1000:>10.1f}")
    worst = p95([t.derive + t.render for t in uncached])
    verdict = "met" if worst < TARGET_SECONDS else "MISSED"
    print(
        f"\ntarget < {TARGET_SECONDS:.0f} s total: {verdict} (p95 {worst * 1000:.0f} ms wall, diagram drawn each run)"
    )
    print(f"1 分钟负载：开始 {load:.1f}，结束 {os.getloadavg()[0]:.1f}（负载高于 CPU 数时，墙钟时间含排队等待）")


if __name__ == "__main__":
    main()
