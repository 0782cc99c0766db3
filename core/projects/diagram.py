"""The derived flow as a Graphviz diagram (SVG) for the project page and the guidance letter."""

import json
from functools import lru_cache
from html import escape
from itertools import pairwise

import graphviz

from core.rules.engine import DerivedFlow, FlowItem

FONT = "WenQuanYi Micro Hei"
ROW_WIDTH = 4  # approvals side by side at most, so the diagram stays legible across an A4 page
LINE_WIDTH = 16  # characters at most per line of text in an approval's box

# What the drawing shows, as decoded from the cache key: (stage name, [(code, label lines, drawn prerequisites)]).
_Node = tuple[str, list[str], list[str]]
_Stage = tuple[str, list[_Node]]


def flow_svg(flow: DerivedFlow) -> str:
    """The flow as an SVG element to inline in HTML: a box per stage, a node per approval, arrows for prerequisites."""
    return _render(_content_key(flow))


def _content_key(flow: DerivedFlow) -> str:
    """Everything the drawing shows, as one string: flows that look the same share one cached drawing."""
    direct = _direct_prerequisites(flow)
    stages: list[_Stage] = [
        (stage.name, [(item.code, _label(item), direct[item.code]) for item in stage.items])
        for stage in flow.stages
        if stage.items
    ]
    return json.dumps(stages, ensure_ascii=False)


@lru_cache(maxsize=128)
def _render(key: str) -> str:
    stages: list[_Stage] = json.loads(key)
    graph = graphviz.Digraph(
        "flow",
        graph_attr={
            "rankdir": "TB",
            "fontname": FONT,
            "fontsize": "12",
            "nodesep": "0.25",
            "ranksep": "0.35",
            "labeljust": "l",
        },
        node_attr={
            "fontname": FONT,
            "fontsize": "10.5",
            "shape": "box",
            "style": "rounded,filled",
            "fillcolor": "#f4f7fb",
            "color": "#4a6a8a",
            "margin": "0.12,0.06",
        },
        edge_attr={"color": "#4a6a8a", "arrowsize": "0.7"},
    )
    for number, (stage_name, nodes) in enumerate(stages):
        with graph.subgraph(name=f"cluster_{number}") as cluster:
            cluster.attr(label=stage_name, style="rounded", color="#9aa9b8")
            for code, lines, _ in nodes:
                # An HTML-like label: names are escaped, never read as Graphviz escapes such as \N or \l.
                cluster.node(code, label="<" + "<br/>".join(escape(line) for line in lines) + ">")
    for _, nodes in stages:
        for code, _, prerequisites in nodes:
            for prerequisite in prerequisites:
                graph.edge(prerequisite, code)
    for upper, lower in pairwise(_rows(stages)):
        # Invisible edges from each row to the next fix the rows: stages top to bottom, no row wider than ROW_WIDTH.
        for top in upper:
            for bottom in lower:
                graph.edge(top, bottom, style="invis")
    svg = str(graph.pipe(format="svg", encoding="utf-8"))
    return svg[svg.index("<svg") :]  # without the XML declaration, DOCTYPE and generator comment


def _rows(stages: list[_Stage]) -> list[list[str]]:
    """Approval codes in rows, top to bottom: each below its prerequisites in its stage, at most ROW_WIDTH a row."""
    rows: list[list[str]] = []
    for _, nodes in stages:
        stage_rows: list[list[str]] = []
        row_of: dict[str, int] = {}
        for code, _, prerequisites in nodes:  # the flow lists prerequisites first
            row = max((row_of[p] + 1 for p in prerequisites if p in row_of), default=0)
            while row < len(stage_rows) and len(stage_rows[row]) >= ROW_WIDTH:
                row += 1
            if row == len(stage_rows):
                stage_rows.append([])
            stage_rows[row].append(code)
            row_of[code] = row
        rows += stage_rows
    return rows


def _direct_prerequisites(flow: DerivedFlow) -> dict[str, list[str]]:
    """Each approval's prerequisites less those already implied by another one: one arrow per real step."""
    listed = {item.code: [d for d in item.depends_on if d != item.code] for item in flow.items()}
    before: dict[str, set[str]] = {}

    def ancestors(code: str, visiting: frozenset[str] = frozenset()) -> set[str]:
        if code not in before:
            found: set[str] = set()
            for dep in listed.get(code, []):
                if dep in listed and dep not in visiting:  # a cycle in the rule data is cut, not followed
                    found |= {dep} | ancestors(dep, visiting | {code})
            before[code] = found
        return before[code]

    return {
        code: [d for d in deps if d in listed and not any(d in ancestors(other) for other in deps if other != d)]
        for code, deps in listed.items()
    }


def _label(item: FlowItem) -> list[str]:
    """The box text: "序号. 名称" then "部门 · N个工作日", long lines wrapped."""
    department, days = item.department_name or item.department_code, f"{item.time_limit_days}个工作日"
    subtitle = f"{department} · {days}"
    # Too long for one line: the department on its own line(s), so no line break falls inside its name needlessly.
    return _wrap(f"{item.order}. {item.name}") + (
        [subtitle] if len(subtitle) <= LINE_WIDTH else [*_wrap(department), days]
    )


def _wrap(text: str) -> list[str]:
    """Lines of even length up to LINE_WIDTH characters: Chinese has no spaces to break at, and no orphaned last line."""
    count = max(1, -(-len(text) // LINE_WIDTH))
    width = -(-len(text) // count)
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]
